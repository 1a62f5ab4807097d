import { useEffect, useRef, useState } from 'react';
import type { LogFilters, LogMessage, LogStreamingService, LogType, Selection, StreamHandle, StreamHandlers } from '@stratal/logs-client';

/** What a viewer shows: one job run, one task run, one type, or every log. */
export type ViewerSelection = { jobRunId: string } | { taskRunId: string } | { type: LogType } | { all: true };

export interface LogRowsState {
  /** The rows in (timestamp, id) order, each once. */
  rows: LogMessage[];
  /** Still reading the stored rows, page by page. */
  loading: boolean;
  /** The live stream is connected. */
  live: boolean;
  error: Error | undefined;
}

const PAGE_ROWS = 1000;
/** The view of every log starts with about this many of the newest, then follows. */
export const RECENT_ROWS = 1000;

function compare(a: LogMessage, b: LogMessage): number {
  // (timestamp, id), rows without a timestamp last: the server's order
  if (a.timestamp !== b.timestamp) {
    if (a.timestamp === null) return 1;
    if (b.timestamp === null) return -1;
    return a.timestamp < b.timestamp ? -1 : 1;
  }
  return a.id - b.id;
}

/** Inserts `added` (any order) into `rows` (sorted), skipping ids already there. */
export function merge(rows: LogMessage[], added: LogMessage[], ids: Set<number>): LogMessage[] {
  const fresh = added.filter((row) => !ids.has(row.id));
  if (fresh.length === 0) {
    return rows;
  }
  for (const row of fresh) {
    ids.add(row.id);
  }
  fresh.sort(compare);
  const last = rows[rows.length - 1];
  if (last === undefined || compare(last, fresh[0]!) <= 0) {
    return rows.concat(fresh); // the usual case: newer rows at the end
  }
  return rows.concat(fresh).sort(compare);
}

function listSelection(selection: ViewerSelection): Selection | undefined {
  if ('all' in selection) {
    return undefined; // no list endpoint holds every log: the stream brings the newest ones, then new ones
  }
  if ('type' in selection) {
    return selection.type === 'system' ? { system: true } : { type: selection.type };
  }
  return selection;
}

function openStream(service: LogStreamingService, selection: ViewerSelection, handlers: StreamHandlers): StreamHandle {
  if ('jobRunId' in selection) return service.streamJobRun(selection.jobRunId, handlers);
  if ('taskRunId' in selection) return service.streamTaskRun(selection.taskRunId, handlers);
  if ('type' in selection) return service.streamType(selection.type, handlers);
  return service.streamAllLogs(handlers);
}

/**
 * The stored rows of a selection, read page by page (every page: nothing is silently cut), then, when
 * `live`, the new ones from the stream, resuming after the last stored id so none falls in between.
 */
export function useLogRows(service: LogStreamingService, selection: ViewerSelection, filters: LogFilters | undefined,
  live: boolean): LogRowsState {
  const [state, setState] = useState<LogRowsState>({ rows: [], loading: true, live: false, error: undefined });
  const key = JSON.stringify([selection, filters, live]);
  const ids = useRef(new Set<number>());

  useEffect(() => {
    const abort = new AbortController();
    let stream: StreamHandle | undefined;
    ids.current = new Set();
    setState({ rows: [], loading: true, live: false, error: undefined });
    const add = (added: LogMessage[]) => setState((s) => ({ ...s, rows: merge(s.rows, added, ids.current) }));

    (async () => {
      let maxId: number | undefined;
      const stored = listSelection(selection);
      if (stored) {
        try {
          for await (const page of service.pages(stored, { limit: PAGE_ROWS, filters, signal: abort.signal })) {
            for (const row of page.logs) {
              maxId = maxId === undefined ? row.id : Math.max(maxId, row.id);
            }
            add(page.logs);
          }
        } catch (error) {
          if (abort.signal.aborted) return;
          setState((s) => ({ ...s, loading: false, error: error instanceof Error ? error : new Error(String(error)) }));
          return;
        }
      }
      if (!stored && live) {
        // no list holds every log: the stream replays the newest ones from the table, after an id that
        // far below the highest the server has seen
        try {
          const status = await service.getStreamStatus({ signal: abort.signal });
          maxId = Math.max(0, status.last_id - RECENT_ROWS);
        } catch {
          // then only new logs; the stream says what is wrong
        }
      }
      if (abort.signal.aborted) return;
      setState((s) => ({ ...s, loading: false }));
      if (live) {
        const pending: LogMessage[] = [];
        let scheduled = false;
        stream = openStream(service, selection, {
          filters,
          afterId: maxId,
          signal: abort.signal,
          onOpen: () => setState((s) => ({ ...s, live: true, error: undefined })),
          onError: (error) => setState((s) => ({ ...s, live: false, error })),
          onMessage: (row) => {
            // a burst of rows becomes one render
            pending.push(row);
            if (!scheduled) {
              scheduled = true;
              queueMicrotask(() => {
                scheduled = false;
                add(pending.splice(0));
              });
            }
          },
        });
      }
    })();

    return () => {
      abort.abort();
      stream?.close();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the key holds selection, filters and live
  }, [service, key]);

  return state;
}
