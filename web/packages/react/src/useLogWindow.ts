import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { LogFilters, LogMessage, LogPage, LogStreamingService, LogType, Selection, StreamHandle, StreamHandlers } from '@stratal/logs-client';

/** What a viewer shows: one job run, one task run, one type, or every log. */
export type ViewerSelection = { jobRunId: string } | { taskRunId: string } | { type: LogType } | { all: true };

/** How to read on from one end of the window: a cursor the server gave, or a line to start at. */
type Anchor = { cursor: string; order: 'asc' | 'desc' } | { fromId: number; order: 'asc' | 'desc' };

/** Where a view opens: at its first line, at its newest, or around one line. */
export type Opening = { at: 'start' } | { at: 'end' } | { at: 'line'; id: number };

export interface LogWindow {
  /** The rows held, oldest first, each id once: a window of the selection, never all of a long one. */
  rows: LogMessage[];
  /** The first row held is the selection's first. */
  atStart: boolean;
  /** The last row held is the selection's newest: new rows join the window as they come. */
  atEnd: boolean;
  /** What is being read: the first rows, older ones, newer ones, or nothing. */
  loading: 'first' | 'older' | 'newer' | undefined;
  /** The live stream is connected. */
  live: boolean;
  error: Error | undefined;
  /** Rows that arrived live while the window was away from the end: "N new lines". */
  newSinceAway: number;
  /** Rows added (positive) or taken away (negative) before the first row by the last change, for scrolling. */
  shiftedAtTop: number;
  /** Counts the changes, so a view can tell one from the next. */
  revision: number;
  /** Where the rows held now were opened, and at which revision: the view scrolls there once. */
  opened: { at: Opening; revision: number } | undefined;
}

interface State extends LogWindow {
  /** The selection and filters the window belongs to: answers for an older one are dropped. */
  key: string;
  older: Anchor | undefined;
  newer: Anchor | undefined;
}

/** Rows a request asks for (the server's most). */
const PAGE_ROWS = 1000;
/** Rows the window holds at most: a few pages around what is on screen. */
export const MAX_ROWS = 5000;
/** The view of every log starts with about this many of the newest, then follows. */
export const RECENT_ROWS = 1000;
/** Live rows kept aside while the window is away from the end, for when it comes back. */
const LIVE_BUFFER = MAX_ROWS;

type Action =
  | { type: 'reset'; key: string }
  | { type: 'first'; key: string; at: Opening; rows: LogMessage[]; older: Anchor | undefined; newer: Anchor | undefined }
  | { type: 'older'; key: string; rows: LogMessage[]; older: Anchor | undefined }
  | { type: 'newer'; key: string; rows: LogMessage[]; newer: Anchor | undefined; live: LogMessage[] }
  | { type: 'live'; key: string; rows: LogMessage[] }
  | { type: 'connected'; key: string; live: boolean; error?: Error }
  | { type: 'failed'; key: string; error: Error };

function compare(a: LogMessage, b: LogMessage): number {
  // (timestamp, id), rows without a timestamp last: the server's order
  if (a.timestamp !== b.timestamp) {
    if (a.timestamp === null) return 1;
    if (b.timestamp === null) return -1;
    return a.timestamp < b.timestamp ? -1 : 1;
  }
  return a.id - b.id;
}

/** `rows` and `added` (any order) in order, each id once; `rows` itself when nothing is new. Pure. */
function merged(rows: LogMessage[], added: LogMessage[]): LogMessage[] {
  if (added.length === 0) return rows;
  const ids = new Set(rows.map((row) => row.id));
  const fresh: LogMessage[] = [];
  for (const row of added) {
    if (!ids.has(row.id)) {
      ids.add(row.id);
      fresh.push(row);
    }
  }
  if (fresh.length === 0) return rows;
  fresh.sort(compare);
  const last = rows[rows.length - 1];
  return last === undefined || compare(last, fresh[0]!) <= 0 ? rows.concat(fresh) : rows.concat(fresh).sort(compare);
}

const empty = (key: string): State => ({
  key, rows: [], atStart: false, atEnd: false, loading: 'first', live: false, error: undefined, newSinceAway: 0,
  shiftedAtTop: 0, revision: 0, opened: undefined, older: undefined, newer: undefined,
});

/** The window's changes, each a pure function of the state and the answer (React may run it twice). */
function reduce(state: State, action: Action): State {
  if (action.type === 'reset') {
    return { ...empty(action.key), live: state.key === action.key ? state.live : false, revision: state.revision + 1 };
  }
  if (action.key !== state.key) {
    return state; // an answer for a selection no longer shown
  }
  switch (action.type) {
    case 'first': {
      const rows = merged([], action.rows);
      return { ...state, rows, older: action.older, newer: action.newer, atStart: !action.older, atEnd: !action.newer,
        loading: undefined, error: undefined, newSinceAway: 0, shiftedAtTop: 0, revision: state.revision + 1,
        opened: { at: action.at, revision: state.revision + 1 } };
    }
    case 'older': {
      let rows = merged(state.rows, action.rows);
      const added = rows.length - state.rows.length;
      let newer = state.newer;
      let atEnd = state.atEnd;
      if (rows.length > MAX_ROWS) {
        // far from what is on screen: the newest rows go, and come back when scrolled to
        rows = rows.slice(0, MAX_ROWS);
        newer = { fromId: rows[rows.length - 1]!.id, order: 'asc' };
        atEnd = false;
      }
      return { ...state, rows, older: action.older, atStart: !action.older, newer, atEnd, loading: undefined,
        shiftedAtTop: added, revision: state.revision + 1 };
    }
    case 'newer': {
      let rows = merged(state.rows, action.rows);
      const atEnd = !action.newer;
      if (atEnd) {
        rows = merged(rows, action.live); // what came live while the window was away
      }
      let older = state.older;
      let atStart = state.atStart;
      let shiftedAtTop = 0;
      if (rows.length > MAX_ROWS) {
        shiftedAtTop = -(rows.length - MAX_ROWS);
        rows = rows.slice(rows.length - MAX_ROWS);
        older = { fromId: rows[0]!.id, order: 'desc' };
        atStart = false;
      }
      return { ...state, rows, newer: action.newer, atEnd, older, atStart, loading: undefined, shiftedAtTop,
        newSinceAway: atEnd ? 0 : state.newSinceAway, revision: state.revision + 1 };
    }
    case 'live': {
      if (!state.atEnd) {
        return { ...state, newSinceAway: state.newSinceAway + action.rows.length, shiftedAtTop: 0, revision: state.revision + 1 };
      }
      let rows = merged(state.rows, action.rows);
      let older = state.older;
      let atStart = state.atStart;
      let shiftedAtTop = 0;
      if (rows.length > MAX_ROWS) {
        // following the tail: the oldest rows go, and come back when scrolled to
        shiftedAtTop = -(rows.length - MAX_ROWS);
        rows = rows.slice(rows.length - MAX_ROWS);
        older = { fromId: rows[0]!.id, order: 'desc' };
        atStart = false;
      }
      return { ...state, rows, older, atStart, shiftedAtTop, revision: state.revision + 1 };
    }
    case 'connected':
      return { ...state, live: action.live, error: action.error ?? (action.live ? undefined : state.error) };
    case 'failed':
      return { ...state, loading: undefined, error: action.error };
  }
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

/** One request's answer, following a search's empty pages (a bounded scan found nothing yet) to the next rows. */
async function read(service: LogStreamingService, selection: Selection, anchor: Anchor | undefined, order: 'asc' | 'desc',
  filters: LogFilters | undefined, signal: AbortSignal): Promise<LogPage> {
  let page = await service.getPage(selection, {
    limit: PAGE_ROWS, order: anchor?.order ?? order, filters, signal,
    ...(anchor && 'cursor' in anchor ? { cursor: anchor.cursor } : anchor ? { fromId: anchor.fromId } : {}),
  });
  while (page.logs.length === 0 && page.has_more && page.next_cursor) {
    page = await service.getPage(selection, { limit: PAGE_ROWS, order: anchor?.order ?? order, filters, signal, cursor: page.next_cursor });
  }
  return page;
}

/** The rows of an answer oldest first, and how to read on at each end of them. */
function edges(page: LogPage, order: 'asc' | 'desc'): { rows: LogMessage[]; older: Anchor | undefined; newer: Anchor | undefined } {
  const onward: Anchor | undefined = page.has_more && page.next_cursor ? { cursor: page.next_cursor, order } : undefined;
  const back: Anchor | undefined = page.prev_cursor ? { cursor: page.prev_cursor, order: order === 'asc' ? 'desc' : 'asc' } : undefined;
  return order === 'asc' ? { rows: page.logs, older: back, newer: onward } : { rows: [...page.logs].reverse(), older: onward, newer: back };
}

/**
 * A window of a selection's rows, read by pages around what is shown and never all of a long one: it opens
 * at the start, the end or one line, grows at either end as the view asks ({@link LogWindowControls.older},
 * {@link LogWindowControls.newer}), lets far rows go and reads them again on return, and, when `live`, takes
 * new rows from the stream while it holds the newest ones and counts them while it does not. Every change is
 * a pure step of a reducer, so React's StrictMode (which runs updaters and effects twice) changes nothing.
 */
export function useLogWindow(service: LogStreamingService, selection: ViewerSelection, filters: LogFilters | undefined,
  live: boolean, opening: Opening): LogWindow & LogWindowControls {
  const key = JSON.stringify([selection, filters ?? {}]);
  const [state, dispatch] = useReducer(reduce, key, empty);
  const current = useRef(state);
  current.current = state;
  const liveBuffer = useRef<LogMessage[]>([]);
  const inFlight = useRef<AbortController | undefined>(undefined);
  // the view's opening, from the key: a new key starts afresh
  const [jumped, jump] = useReducer((n: number) => n + 1, 0);
  const jumpTo = useRef<Opening | undefined>(undefined);

  useEffect(() => {
    const abort = new AbortController();
    const stored = listSelection(selection);
    const start: Opening = jumpTo.current ?? opening;
    jumpTo.current = undefined;
    dispatch({ type: 'reset', key });
    (async () => {
      try {
        if (!stored) {
          dispatch({ type: 'first', key, at: { at: 'end' }, rows: [], older: undefined, newer: undefined });
          return;
        }
        if (start.at === 'line') {
          // the page from the line; the view, standing at its top, asks for the lines before it at once
          const page = await read(service, stored, { fromId: start.id, order: 'asc' }, 'asc', filters, abort.signal);
          dispatch({ type: 'first', key, at: start, ...edges(page, 'asc') });
          return;
        }
        const order = start.at === 'end' ? 'desc' : 'asc';
        const page = await read(service, stored, undefined, order, filters, abort.signal);
        dispatch({ type: 'first', key, at: start, ...edges(page, order) });
      } catch (error) {
        if (!abort.signal.aborted) {
          dispatch({ type: 'failed', key, error: error instanceof Error ? error : new Error(String(error)) });
        }
      }
    })();
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the key holds selection and filters; the opening is read as it opens
  }, [service, key, jumped]);

  // the stream, once the first rows are in: new rows join the window while it holds the newest (resuming after
  // the newest held, so none falls between the page and the stream), else they are counted and kept aside
  const opened = state.key === key && state.loading !== 'first';
  useEffect(() => {
    if (!live || !opened) return undefined;
    const held = current.current;
    const newestHeld = held.atEnd && held.rows.length > 0 ? Math.max(...held.rows.map((row) => row.id)) : undefined;
    const abort = new AbortController();
    let stream: StreamHandle | undefined;
    liveBuffer.current = [];
    const pending: LogMessage[] = [];
    let scheduled = false;
    (async () => {
      let afterId: number | undefined = newestHeld;
      if (!listSelection(selection)) {
        // no list holds every log: the stream replays the newest ones from the table, then follows
        try {
          const status = await service.getStreamStatus({ signal: abort.signal });
          afterId = Math.max(0, status.last_id - RECENT_ROWS);
        } catch {
          // then only new logs; the stream says what is wrong
        }
      }
      if (abort.signal.aborted) return;
      stream = openStream(service, selection, {
        filters,
        afterId,
        signal: abort.signal,
        onOpen: () => dispatch({ type: 'connected', key, live: true }),
        onError: (error) => dispatch({ type: 'connected', key, live: false, error }),
        onClose: () => dispatch({ type: 'connected', key, live: false }),
        onMessage: (row) => {
          // a burst of rows becomes one render
          pending.push(row);
          const buffer = liveBuffer.current;
          buffer.push(row);
          if (buffer.length > LIVE_BUFFER) buffer.splice(0, buffer.length - LIVE_BUFFER);
          if (!scheduled) {
            scheduled = true;
            queueMicrotask(() => {
              scheduled = false;
              dispatch({ type: 'live', key, rows: pending.splice(0) });
            });
          }
        },
      });
    })();
    return () => {
      abort.abort();
      stream?.close();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the key holds selection and filters
  }, [service, key, live, opened, jumped]);

  useEffect(() => () => inFlight.current?.abort(), []);

  const grow = useCallback((direction: 'older' | 'newer') => {
    const now = current.current;
    const anchor = direction === 'older' ? now.older : now.newer;
    const stored = listSelection(selection);
    if (!anchor || !stored || now.loading || inFlight.current) return;
    const abort = new AbortController();
    inFlight.current = abort;
    const startedFor = now.key;
    read(service, stored, anchor, anchor.order, filters, abort.signal).then((page) => {
      const next = edges(page, anchor.order);
      if (direction === 'older') {
        dispatch({ type: 'older', key: startedFor, rows: next.rows, older: next.older });
      } else {
        dispatch({ type: 'newer', key: startedFor, rows: next.rows, newer: next.newer, live: liveBuffer.current.slice() });
      }
    }, (error: unknown) => {
      if (!abort.signal.aborted) {
        dispatch({ type: 'failed', key: startedFor, error: error instanceof Error ? error : new Error(String(error)) });
      }
    }).finally(() => {
      if (inFlight.current === abort) inFlight.current = undefined;
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the key holds selection and filters
  }, [service, key]);

  const open = useCallback((at: Opening) => {
    inFlight.current?.abort();
    inFlight.current = undefined;
    jumpTo.current = at;
    jump();
  }, []);

  return {
    rows: state.rows, atStart: state.atStart, atEnd: state.atEnd, loading: state.loading, live: state.live, error: state.error,
    newSinceAway: state.newSinceAway, shiftedAtTop: state.shiftedAtTop, revision: state.revision, opened: state.opened,
    older: () => grow('older'), newer: () => grow('newer'), open,
  };
}

export interface LogWindowControls {
  /** Reads the page before the first row held, unless the window starts the selection or is reading. */
  older(): void;
  /** Reads the page after the last row held, unless the window ends the selection or is reading. */
  newer(): void;
  /** Opens the view afresh at its start, its end, or one line. */
  open(at: Opening): void;
}
