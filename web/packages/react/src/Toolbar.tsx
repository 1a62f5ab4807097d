import type { LogFilters, LogLevel, LogStream } from '@stratal/logs-client';
import { useEffect, useState, type ReactNode } from 'react';

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];
const STREAMS: LogStream[] = ['stdout', 'stderr', 'system'];

export interface ToolbarProps {
  filters: LogFilters;
  onChange(filters: LogFilters): void;
  /** Matches of the search among the lines held, whether the selection has more, and which one is current. */
  matches: number;
  moreMatches: boolean;
  current: number;
  onStep(step: 1 | -1): void;
  zone: 'utc' | 'local';
  onZone(zone: 'utc' | 'local'): void;
  /** Offered when the server can download the selection. */
  onDownload?: ((format: 'ndjson' | 'text') => void) | undefined;
}

/**
 * The viewer's filters, all applied by the server: levels, a stream, a time range and a text search (typed
 * text waits 300 ms before it is sent). Next and previous step through the matches, reading on past the lines held.
 */
export function Toolbar({ filters, onChange, matches, moreMatches, current, onStep, zone, onZone, onDownload }: ToolbarProps): ReactNode {
  const [text, setText] = useState(filters.q ?? '');
  useEffect(() => {
    const timer = setTimeout(() => {
      if ((filters.q ?? '') !== text) {
        onChange({ ...filters, q: text === '' ? undefined : text });
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [text, filters, onChange]);

  const levels = filters.level ?? [];
  const toggle = (level: LogLevel) => {
    const next = levels.includes(level) ? levels.filter((l) => l !== level) : [...levels, level];
    onChange({ ...filters, level: next.length === 0 ? undefined : next });
  };
  const instant = (value: string) => (value === '' ? undefined : new Date(value).toISOString());
  return (
    <div className="stratal-toolbar" role="toolbar" aria-label="Filters">
      {LEVELS.map((level) => (
        <label key={level} className={`stratal-level-${level}`}>
          <input type="checkbox" checked={levels.includes(level)} onChange={() => toggle(level)} /> {level}
        </label>
      ))}
      <select aria-label="Stream" value={filters.stream?.[0] ?? ''}
        onChange={(e) => onChange({ ...filters, stream: e.target.value === '' ? undefined : [e.target.value as LogStream] })}>
        <option value="">all streams</option>
        {STREAMS.map((stream) => <option key={stream} value={stream}>{stream}</option>)}
      </select>
      <input type="datetime-local" aria-label="Since" step="1"
        onChange={(e) => onChange({ ...filters, since: instant(e.target.value) })} />
      <input type="datetime-local" aria-label="Until" step="1"
        onChange={(e) => onChange({ ...filters, until: instant(e.target.value) })} />
      <input type="search" aria-label="Search" placeholder="Search" value={text} onChange={(e) => setText(e.target.value)} />
      {filters.q ? (
        <span className="stratal-matches">
          <button type="button" aria-label="Previous match" disabled={matches === 0} onClick={() => onStep(-1)}>↑</button>
          <button type="button" aria-label="Next match" disabled={matches === 0} onClick={() => onStep(1)}>↓</button>
          <span data-testid="match-position">{matches === 0 ? 'no matches' : `${current + 1} of ${matches.toLocaleString('en')}${moreMatches ? '+' : ''}`}</span>
        </span>
      ) : null}
      <select aria-label="Time zone" value={zone} onChange={(e) => onZone(e.target.value as 'utc' | 'local')}>
        <option value="utc">UTC</option>
        <option value="local">local time</option>
      </select>
      {onDownload ? (
        <>
          <button type="button" onClick={() => onDownload('ndjson')}>Download NDJSON</button>
          <button type="button" onClick={() => onDownload('text')}>Download text</button>
        </>
      ) : null}
    </div>
  );
}

/** `text` with each case-insensitive occurrence of `query` in a <mark>, as text. */
export function highlight(text: string, query: string | undefined): ReactNode {
  if (!query) {
    return text;
  }
  const lower = text.toLowerCase();
  const needle = query.toLowerCase();
  const parts: ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0 && needle.length > 0; at = lower.indexOf(needle, from)) {
    parts.push(text.slice(from, at), <mark key={at}>{text.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
  }
  parts.push(text.slice(from));
  return parts;
}
