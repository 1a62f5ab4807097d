import { useVirtualizer } from '@tanstack/react-virtual';
import { LogStreamingService, type LogFilters, type LogMessage, type LogType } from '@stratal/logs-client';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { AnsiText } from './ansi.js';
import { Tasks, useSummary } from './Tasks.js';
import { Toolbar } from './Toolbar.js';
import { useLogRows, type ViewerSelection } from './useLogRows.js';

export interface LogViewerProps {
  /** The logs of one type (the seed's prop). */
  filterType?: LogType;
  /** One job run's logs, its own and its tasks' (the seed's prop). */
  jobRunId?: string;
  /** One task run's logs. */
  taskRunId?: string;
  /** The viewer's height, e.g. "400px" (the seed's prop); 400px by default. */
  height?: string | number;
  /** The log server, e.g. "http://localhost:8080"; the page's origin by default. */
  baseUrl?: string;
  /** The server's token. */
  token?: string;
  /** Follow new rows as they are written (default true). */
  live?: boolean;
  /** Server-side filters to start with; the toolbar changes them. */
  filters?: LogFilters;
  /** Show the filter toolbar (default true). */
  toolbar?: boolean;
  /** A line to show and mark once it is loaded (e.g. from the page's address). */
  selectedLine?: number;
  /** Called when the user picks a line (clicks its time), to put it in the address. */
  onSelectLine?(id: number): void;
  /** A client to use instead of one made from baseUrl and token. */
  service?: LogStreamingService;
}

const ROW_HEIGHT = 20;

function selectionOf(props: LogViewerProps): ViewerSelection {
  if (props.taskRunId) return { taskRunId: props.taskRunId };
  if (props.jobRunId) return { jobRunId: props.jobRunId };
  if (props.filterType) return { type: props.filterType };
  return { all: true };
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
  const hasMetadata = log.metadata !== null && log.metadata !== undefined && Object.keys(log.metadata).length > 0;
  return (
    <>
      <a className="stratal-time" href={`#line=${log.id}`} title={`line ${log.id}${zone === 'utc' ? ' (UTC)' : ''}`}
        onClick={(e) => {
          e.preventDefault();
          onSelect(log.id);
        }}>{formatTime(log.timestamp, zone)}</a>
      <span className={`stratal-level stratal-level-${log.level}`}>{log.level}</span>
      {log.task_run_id ? <span className="stratal-task" title={log.task_run_id}>{taskName ?? log.task_run_id.slice(0, 8)}</span> : null}
      <span className={`stratal-message stratal-stream-${log.stream}`}>
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
 * The seed's `<LogViewer>`: the stored logs of a job run, a task run or a type, every page of them, in a
 * virtualised list, then the new ones live. While the user is at the bottom it follows the newest line;
 * scrolled up it stays put and counts the new lines, and a click jumps back. Several on one page are
 * independent. All text goes in as text.
 */
export function LogViewer(props: LogViewerProps): ReactNode {
  const { baseUrl, token, live = true, toolbar = true } = props;
  const service = useMemo(() => props.service ?? new LogStreamingService({ baseUrl, token }), [props.service, baseUrl, token]);
  const selection = selectionOf(props);
  const [filters, setFilters] = useState<LogFilters>(props.filters ?? {});
  const { rows: loaded, loading, live: connected, error } = useLogRows(service, selection, filters, live);
  const [current, setCurrent] = useState(0);
  const [zone, setZone] = useState<'utc' | 'local'>('utc');
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const [picked, setPicked] = useState<number | undefined>(props.selectedLine);
  const toggleMetadata = useCallback((id: number) => setExpanded((e) => {
    const next = new Set(e);
    if (!next.delete(id)) next.add(id);
    return next;
  }), []);
  const { onSelectLine } = props;
  const select = useCallback((id: number) => {
    setPicked(id);
    onSelectLine?.(id);
  }, [onSelectLine]);
  const summary = useSummary(service, 'jobRunId' in selection ? selection.jobRunId : undefined, loaded.length);
  const taskNames = useMemo(() => new Map((summary?.tasks ?? []).flatMap((task) => (task.task_name ? [[task.task_run_id, task.task_name] as const] : []))),
    [summary]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
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
    overscan: 30,
  });

  const onScroll = useCallback(() => {
    const element = scroller.current;
    if (!element) return;
    const atBottom = element.scrollTop + element.clientHeight >= element.scrollHeight - ROW_HEIGHT;
    setFollowing(atBottom);
  }, []);

  useLayoutEffect(() => {
    if (following && rows.length > 0 && (picked === undefined || shownPick.current === picked)) {
      virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
    }
  }, [following, rows.length, virtualizer]);

  useEffect(() => {
    if (following) {
      setSeenCount(rows.length);
    }
  }, [following, rows.length]);

  const jumpToNewest = () => {
    setFollowing(true);
    virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
  };

  // the line picked (or given in the address) is shown once it is loaded, and following stops there
  const pickedIndex = picked === undefined ? -1 : rows.findIndex((row) => row.id === picked);
  const shownPick = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    if (pickedIndex >= 0 && shownPick.current !== picked) {
      shownPick.current = picked;
      setFollowing(false);
      virtualizer.scrollToIndex(pickedIndex, { align: 'center' });
    }
  }, [pickedIndex, picked, virtualizer]);

  // with a search, every loaded line matches (the server selected them): next and previous step through them
  const step = (by: 1 | -1) => {
    if (rows.length === 0) return;
    const next = (current + by + rows.length) % rows.length;
    setCurrent(next);
    setFollowing(false);
    virtualizer.scrollToIndex(next, { align: 'center' });
  };
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
    setCurrent(0);
    setFollowing(true);
  }, []);

  const newLines = following ? 0 : rows.length - seenCount;
  const height = typeof props.height === 'number' ? `${props.height}px` : props.height ?? '400px';
  return (
    <section className="stratal-log-viewer" aria-label={title(selection)}>
      <header className="stratal-header">
        <span className="stratal-title">{title(selection)}</span>
        <span className="stratal-count" data-testid="line-count">
          {loaded.length.toLocaleString('en')} {loaded.length === 1 ? 'line' : 'lines'}
          {rows.length < loaded.length ? `, ${rows.length.toLocaleString('en')} shown` : ''}
          {loading ? ', loading…' : ''}
        </span>
        {live ? <span className={connected ? 'stratal-live stratal-live-on' : 'stratal-live'}>{connected ? 'live' : 'connecting'}</span> : null}
        {error ? <span className="stratal-error" role="alert">{error.message}</span> : null}
      </header>
      {summary ? <Tasks summary={summary} collapsed={collapsed} onToggle={toggle} /> : null}
      {toolbar ? <Toolbar filters={filters} onChange={changeFilters} matches={filters.q ? rows.length : 0} current={current}
        onStep={step} zone={zone} onZone={setZone} onDownload={downloadable(selection) ? download : undefined} /> : null}
      <div ref={scroller} className="stratal-lines" data-height={height} style={{ height }} onScroll={onScroll} role="log">
        <div className="stratal-spacer" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          {virtualizer.getVirtualItems().map((item) => {
            const log = rows[item.index]!;
            return (
              <div key={log.id} className={`stratal-line${filters.q && item.index === current ? ' stratal-current' : ''}${log.id === picked ? ' stratal-picked' : ''}`}
                data-index={item.index} data-id={log.id} data-level={log.level} ref={virtualizer.measureElement}
                style={{ transform: `translateY(${item.start}px)` }}>
                <Row log={log} taskName={log.task_run_id ? taskNames.get(log.task_run_id) : undefined} query={filters.q} zone={zone}
                  expanded={expanded.has(log.id)} onToggle={toggleMetadata}
                  onSelect={select} />
              </div>
            );
          })}
        </div>
      </div>
      {newLines > 0 ? (
        <button type="button" className="stratal-new-lines" onClick={jumpToNewest}>
          {newLines.toLocaleString('en')} new {newLines === 1 ? 'line' : 'lines'}
        </button>
      ) : null}
    </section>
  );
}

export default LogViewer;
