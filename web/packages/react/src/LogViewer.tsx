'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { LogStreamingService, type LogFilters, type LogMessage, type LogType } from '@stratal/logs-client';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { AnsiText } from './ansi.js';
import { Tasks, useSummary } from './Tasks.js';
import { Toolbar } from './Toolbar.js';
import { useLineCount } from './useLineCount.js';
import { useLogWindow, type Opening, type ViewerSelection } from './useLogWindow.js';

export interface LogViewerProps {
  /** The logs of one type. */
  filterType?: LogType;
  /** One job run's logs, its own and its tasks'. */
  jobRunId?: string;
  /** One task run's logs. */
  taskRunId?: string;
  /** The viewer's height, e.g. "400px"; 400px by default. */
  height?: string | number;
  /** The log server, e.g. "http://localhost:8080"; the page's origin by default. */
  baseUrl?: string;
  /** The server's token. */
  token?: string;
  /** Follow new rows as they are written (default true). */
  live?: boolean;
  /** Server-side filters; the toolbar changes them, and a new value from the page replaces them. */
  filters?: LogFilters;
  /** Show the filter toolbar (default true). */
  toolbar?: boolean;
  /** A line to show and mark (e.g. from the page's address): the view opens around it. */
  selectedLine?: number;
  /** Called when the user picks a line (clicks its time), to put it in the address. */
  onSelectLine?(id: number): void;
  /** A client to use instead of one made from baseUrl and token. */
  service?: LogStreamingService;
}

const ROW_HEIGHT = 20;
/** Rows from an end of the window at which the next page there is read. */
const EDGE_ROWS = 200;

/** What makes the viewer work without its stylesheet: the scroller, the rows' place in it. */
const SCROLLER: CSSProperties = { overflow: 'auto', position: 'relative' };
const SPACER: CSSProperties = { position: 'relative', width: '100%' };
const LINE: CSSProperties = { position: 'absolute', top: 0, left: 0, width: '100%', display: 'flex', gap: '8px',
  boxSizing: 'border-box', whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' };
const TIME: CSSProperties = { flex: 'none' };
const NEW_LINES: CSSProperties = { position: 'absolute', right: '16px', bottom: '12px' };

function selectionOf(props: LogViewerProps): ViewerSelection {
  if (props.taskRunId) return { taskRunId: props.taskRunId };
  if (props.jobRunId) return { jobRunId: props.jobRunId };
  if (props.filterType) return { type: props.filterType };
  return { all: true };
}

/** A run opens at its first line (as a build log does), a type or everything at the newest (as a tail does). */
function defaultOpening(selection: ViewerSelection): Opening {
  return 'jobRunId' in selection || 'taskRunId' in selection ? { at: 'start' } : { at: 'end' };
}

/** What the server can download for a selection: a job run, a task run, or the system logs. */
function downloadable(selection: ViewerSelection): { jobRunId: string } | { taskRunId: string } | { system: true } | undefined {
  if ('jobRunId' in selection) return { jobRunId: selection.jobRunId };
  if ('taskRunId' in selection) return { taskRunId: selection.taskRunId };
  if ('type' in selection && selection.type === 'system') return { system: true };
  return undefined;
}

function title(selection: ViewerSelection): string {
  if ('taskRunId' in selection) return `Task run ${selection.taskRunId}`;
  if ('jobRunId' in selection) return `Job run ${selection.jobRunId}`;
  if ('type' in selection) return `${selection.type[0]!.toUpperCase()}${selection.type.slice(1)} logs`;
  return 'All logs';
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "2026-11-29 08:05:03.000" from the server's ISO form, in UTC or in the browser's time zone. */
export function formatTime(timestamp: string | null, zone: 'utc' | 'local'): string {
  if (timestamp === null) return '—';
  if (zone === 'utc') return `${timestamp.slice(0, 10)} ${timestamp.slice(11, 23)}`;
  const d = new Date(timestamp);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:`
    + `${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

interface RowProps {
  log: LogMessage;
  /** The task run's name, where the summary gives one. */
  taskName: string | undefined;
  query: string | undefined;
  zone: 'utc' | 'local';
  expanded: boolean;
  onToggle(id: number): void;
  onSelect(id: number): void;
}

function Row({ log, taskName, query, zone, expanded, onToggle, onSelect }: RowProps): ReactNode {
  const hasMetadata = log.metadata !== null && Object.keys(log.metadata).length > 0;
  return (
    <>
      <a className="stratal-time" style={TIME} href={`#line=${log.id}`} title={`line ${log.id}${zone === 'utc' ? ' (UTC)' : ''}`}
        onClick={(e) => {
          e.preventDefault();
          onSelect(log.id);
        }}>{formatTime(log.timestamp, zone)}</a>
      <span className={`stratal-level stratal-level-${log.level}`} style={TIME}>{log.level}</span>
      {log.task_run_id ? <span className="stratal-task" style={TIME} title={log.task_run_id}>{taskName ?? log.task_run_id.slice(0, 8)}</span> : null}
      <span className={`stratal-message stratal-stream-${log.stream}`} style={{ minWidth: 0 }}>
        <span className="stratal-text"><AnsiText text={log.message} query={query} /></span>
        {hasMetadata ? (
          <button type="button" className="stratal-metadata-toggle" aria-expanded={expanded} aria-label="Metadata"
            onClick={() => onToggle(log.id)}>{'{…}'}</button>
        ) : null}
        {hasMetadata && expanded ? <pre className="stratal-metadata">{JSON.stringify(log.metadata, null, 2)}</pre> : null}
      </span>
    </>
  );
}

/**
 * The logs of a job run, a task run or a type in a virtualised list that never holds all of a long
 * selection: it opens a run at its first line and a type at its newest, reads pages around what is on
 * screen in both directions as the user scrolls, lets far rows go, and reads them again on return. A link
 * to one line opens the view around it. New rows come live while the view holds the newest: at the bottom it
 * follows them; scrolled up, or away from the end, it counts them, and a click goes to the newest. Several
 * on one page are independent. All text goes in as text. Every prop may change after mount.
 */
export function LogViewer(props: LogViewerProps): ReactNode {
  const { baseUrl, token, live = true, toolbar = true, onSelectLine } = props;
  const service = useMemo(() => props.service ?? new LogStreamingService({ baseUrl, token }), [props.service, baseUrl, token]);
  const selectionKey = JSON.stringify(selectionOf(props));
  const selection = useMemo(() => selectionOf(props), [selectionKey]); // eslint-disable-line react-hooks/exhaustive-deps

  // filters from the page replace the toolbar's when they change
  const givenFilters = JSON.stringify(props.filters ?? {});
  const [filters, setFilters] = useState<LogFilters>(props.filters ?? {});
  useEffect(() => setFilters(JSON.parse(givenFilters) as LogFilters), [givenFilters]);

  const opening: Opening = props.selectedLine !== undefined ? { at: 'line', id: props.selectedLine } : defaultOpening(selection);
  const view = useLogWindow(service, selection, filters, live, opening);
  const { rows: loaded } = view;

  const [currentId, setCurrentId] = useState<number>();
  const [zone, setZone] = useState<'utc' | 'local'>('utc');
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const [picked, setPicked] = useState<number | undefined>(props.selectedLine);
  const toggleMetadata = useCallback((id: number) => setExpanded((e) => {
    const next = new Set(e);
    if (!next.delete(id)) next.add(id);
    return next;
  }), []);
  const select = useCallback((id: number) => {
    setPicked(id);
    onSelectLine?.(id);
  }, [onSelectLine]);

  const summary = useSummary(service, 'jobRunId' in selection ? selection.jobRunId : undefined, view.revision);
  const taskNames = useMemo(() => new Map((summary?.tasks ?? []).flatMap((task) => (task.task_name ? [[task.task_run_id, task.task_name] as const] : []))),
    [summary]);
  const total = useLineCount(service, selection, filters, summary, loaded);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setCollapsed(new Set()), [selectionKey]);
  const toggle = useCallback((taskRunId: string) => setCollapsed((c) => {
    const next = new Set(c);
    if (!next.delete(taskRunId)) next.add(taskRunId);
    return next;
  }), []);
  const rows = useMemo(() => (collapsed.size === 0 ? loaded
    : loaded.filter((row) => !row.task_run_id || !collapsed.has(row.task_run_id))), [loaded, collapsed]);

  const scroller = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);
  const [seenCount, setSeenCount] = useState(0);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index]!.id,
    overscan: 20,
  });

  // the row at the top of the view and how far it is scrolled in, so rows added or let go above it move nothing
  const anchor = useRef<{ id: number; within: number } | undefined>(undefined);
  const remember = useCallback(() => {
    const element = scroller.current;
    const first = element && rows.length > 0 ? virtualizer.getVirtualItemForOffset(element.scrollTop) : undefined;
    anchor.current = first && element && rows[first.index] ? { id: rows[first.index]!.id, within: element.scrollTop - first.start } : undefined;
  }, [virtualizer, rows]);

  const { older, newer, atStart, atEnd, loading } = view;
  /** Reads the next page at whichever end of the window the view comes near (by where it is scrolled now). */
  const growTowardsView = useCallback(() => {
    const element = scroller.current;
    if (!element || rows.length === 0 || loading) return;
    const first = virtualizer.getVirtualItemForOffset(element.scrollTop)?.index ?? 0;
    const last = virtualizer.getVirtualItemForOffset(element.scrollTop + element.clientHeight)?.index ?? rows.length - 1;
    if (!atStart && first < EDGE_ROWS) older();
    else if (!atEnd && last > rows.length - EDGE_ROWS) newer();
  }, [virtualizer, loading, atStart, atEnd, older, newer, rows.length]);

  const onScroll = useCallback(() => {
    const element = scroller.current;
    if (!element) return;
    remember();
    setFollowing(atEnd && element.scrollTop + element.clientHeight >= element.scrollHeight - ROW_HEIGHT);
    growTowardsView();
  }, [remember, atEnd, growTowardsView]);

  // after each change: keep the rows on screen in place when rows came or went above them, then read on if
  // the view is still near an end (a short first page, a fast scroll)
  const restored = useRef(0);
  useLayoutEffect(() => {
    const element = scroller.current;
    const held = anchor.current;
    if (element && held && view.shiftedAtTop !== 0 && restored.current !== view.revision && !(following && atEnd)) {
      restored.current = view.revision;
      const index = rows.findIndex((row) => row.id === held.id);
      if (index >= 0) {
        virtualizer.scrollToOffset(virtualizer.measurementsCache[index]!.start + held.within);
      }
    }
    // where the view stands now, for the next change (also when nothing scrolled since)
    remember();
  });
  // rows opened afresh are shown from where they were opened: a run from its top, a type at its bottom (a
  // line is shown by the picked line's own effect)
  const openedAt = view.opened;
  useLayoutEffect(() => {
    if (!openedAt || rows.length === 0) return;
    if (openedAt.at.at === 'start') {
      virtualizer.scrollToOffset(0);
    } else if (openedAt.at.at === 'end') {
      virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
    }
  }, [openedAt?.revision]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    growTowardsView();
  }, [view.revision, growTowardsView]);

  // following: the newest row stays in view as rows come (also when old ones go at the top and the count stays)
  const newestId = rows[rows.length - 1]?.id;
  useLayoutEffect(() => {
    if (following && atEnd && rows.length > 0 && (picked === undefined || shownPick.current === picked)) {
      virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
    }
  }, [following, atEnd, newestId, virtualizer]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (following) setSeenCount(rows.length);
  }, [following, rows.length]);

  const open = view.open;
  const jumpToEnd = useCallback(() => {
    setFollowing(true);
    setPicked(undefined);
    if (atEnd) {
      virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
    } else {
      open({ at: 'end' });
    }
  }, [atEnd, open, rows.length, virtualizer]);
  const jumpToStart = useCallback(() => {
    setFollowing(false);
    setPicked(undefined);
    if (atStart) {
      virtualizer.scrollToIndex(0, { align: 'start' });
    } else {
      open({ at: 'start' });
    }
  }, [atStart, open, virtualizer]);

  // a line given from outside later (a #line= link followed) is shown: where it is held, or the view opens
  // around it; the first one is where the view opened
  const givenLine = useRef(props.selectedLine);
  useEffect(() => {
    if (props.selectedLine === undefined || props.selectedLine === givenLine.current) return;
    givenLine.current = props.selectedLine;
    setPicked(props.selectedLine);
    if (!loaded.some((row) => row.id === props.selectedLine)) {
      open({ at: 'line', id: props.selectedLine });
    }
  }, [props.selectedLine]); // eslint-disable-line react-hooks/exhaustive-deps

  const pickedIndex = picked === undefined ? -1 : rows.findIndex((row) => row.id === picked);
  const shownPick = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    if (pickedIndex >= 0 && shownPick.current !== picked) {
      shownPick.current = picked;
      setFollowing(false);
      virtualizer.scrollToIndex(pickedIndex, { align: 'center' });
    }
  }, [pickedIndex, picked, virtualizer]);

  // with a search, every line the server sends matches: next and previous step through them by id, so the
  // current one stays put as the window moves. A step past the window's edge reads the next page first; a
  // step past the selection's last (or first) match goes round to its first (or last), opened there.
  const currentIndex = currentId === undefined ? -1 : rows.findIndex((row) => row.id === currentId);
  const current = Math.max(currentIndex, 0);
  const pendingStep = useRef<{ by: 1 | -1 } | { edge: 'first' | 'last' } | undefined>(undefined);
  const goTo = (index: number) => {
    setCurrentId(rows[index]!.id);
    setFollowing(false);
    virtualizer.scrollToIndex(index, { align: 'center' });
  };
  const step = (by: 1 | -1) => {
    if (rows.length === 0) return;
    if (loading) {
      pendingStep.current = { by }; // taken when the page being read is in
      return;
    }
    const next = current + by;
    if (next >= 0 && next < rows.length) goTo(next);
    else if (next >= rows.length && !atEnd) {
      pendingStep.current = { by };
      newer();
    } else if (next < 0 && !atStart) {
      pendingStep.current = { by };
      older();
    } else if (atStart && atEnd) goTo((next + rows.length) % rows.length);
    else {
      pendingStep.current = { edge: by === 1 ? 'first' : 'last' };
      open({ at: by === 1 ? 'start' : 'end' });
    }
  };
  useEffect(() => {
    const pending = pendingStep.current;
    if (!pending || loading || rows.length === 0) return;
    pendingStep.current = undefined;
    if ('edge' in pending) goTo(pending.edge === 'first' ? 0 : rows.length - 1);
    else step(pending.by);
  }, [view.revision]); // eslint-disable-line react-hooks/exhaustive-deps
  const download = async (format: 'ndjson' | 'text') => {
    const target = downloadable(selection);
    if (!target) return;
    const blob = await service.download(target, format, { filters });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${'jobRunId' in target ? `job-run-${target.jobRunId}` : 'taskRunId' in target ? `task-run-${target.taskRunId}`
      : 'system'}.${format === 'ndjson' ? 'ndjson' : 'log'}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };
  const changeFilters = useCallback((next: LogFilters) => {
    setFilters(next);
    setCurrentId(undefined);
    setFollowing(true);
  }, []);

  const newLines = !atEnd ? view.newSinceAway : following ? 0 : Math.max(0, rows.length - seenCount);
  const height = typeof props.height === 'number' ? `${props.height}px` : props.height ?? '400px';
  const complete = atStart && atEnd;
  const count = total !== undefined ? plural(total, 'line') : `${plural(loaded.length, 'line')}${complete ? '' : '+'}`;
  const paged = !('all' in selection);
  return (
    <section className="stratal-log-viewer" aria-label={title(selection)} style={{ position: 'relative' }}>
      <header className="stratal-header">
        <span className="stratal-title">{title(selection)}</span>
        <span className="stratal-count" data-testid="line-count">
          {count}
          {rows.length < loaded.length ? `, ${rows.length.toLocaleString('en')} shown` : ''}
          {loading ? ', loading…' : ''}
        </span>
        {paged && !complete ? (
          <span className="stratal-jumps">
            <button type="button" onClick={jumpToStart}>First line</button>
            <button type="button" onClick={jumpToEnd}>Last line</button>
          </span>
        ) : null}
        {live ? <span className={view.live ? 'stratal-live stratal-live-on' : 'stratal-live'}>{view.live ? 'live' : 'connecting'}</span> : null}
        {view.error ? <span className="stratal-error" role="alert">{view.error.message}</span> : null}
      </header>
      {summary ? <Tasks summary={summary} collapsed={collapsed} onToggle={toggle} /> : null}
      {toolbar ? <Toolbar filters={filters} onChange={changeFilters} matches={filters.q ? rows.length : 0}
        moreMatches={!complete} current={current}
        onStep={step} zone={zone} onZone={setZone} onDownload={downloadable(selection) ? download : undefined} /> : null}
      <div ref={scroller} className="stratal-lines" data-height={height} style={{ ...SCROLLER, height }} onScroll={onScroll} role="log"
        data-at-start={atStart} data-at-end={atEnd} data-rows={loaded.length} data-first-id={loaded[0]?.id}
        data-last-id={loaded[loaded.length - 1]?.id}>
        <div className="stratal-spacer" style={{ ...SPACER, height: `${virtualizer.getTotalSize()}px` }}>
          {virtualizer.getVirtualItems().map((item) => {
            const log = rows[item.index]!;
            return (
              <div key={log.id} className={`stratal-line${filters.q && item.index === current ? ' stratal-current' : ''}${log.id === picked ? ' stratal-picked' : ''}`}
                data-index={item.index} data-id={log.id} data-level={log.level} ref={virtualizer.measureElement}
                style={{ ...LINE, transform: `translateY(${item.start}px)` }}>
                <Row log={log} taskName={log.task_run_id ? taskNames.get(log.task_run_id) : undefined} query={filters.q} zone={zone}
                  expanded={expanded.has(log.id)} onToggle={toggleMetadata} onSelect={select} />
              </div>
            );
          })}
        </div>
      </div>
      {newLines > 0 ? (
        <button type="button" className="stratal-new-lines" style={NEW_LINES} onClick={jumpToEnd}>
          {plural(newLines, 'new line')}
        </button>
      ) : null}
    </section>
  );
}

export default LogViewer;
