/** The three kinds of log row. */
export type LogType = 'system' | 'job' | 'task';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogStream = 'stdout' | 'stderr' | 'system';

/**
 * One log row with its `id` (ascending in write order; what a stream resumes from). `timestamp` is UTC,
 * ISO-8601 with microseconds and a `Z`, or `null` for a row stored without one (such rows sort last).
 */
export interface LogMessage {
  id: number;
  type: LogType;
  job_run_id: string | null;
  task_run_id: string | null;
  timestamp: string | null;
  level: LogLevel;
  stream: LogStream;
  message: string;
  metadata: Record<string, unknown> | null;
}

/** The server-side filters every list, download and stream takes; all optional, combined with AND. */
export interface LogFilters {
  /** Any of these levels. */
  level?: readonly LogLevel[];
  /** Any of these streams. */
  stream?: readonly LogStream[];
  /** From this instant on (inclusive). */
  since?: Date | string;
  /** Before this instant (exclusive). */
  until?: Date | string;
  /** A case-insensitive substring of the message, taken literally. */
  q?: string;
  /** Top-level metadata keys whose value, as text, equals the given one. */
  meta?: Readonly<Record<string, string | number | boolean>>;
  /** On a job run: one of its task runs. */
  taskRunId?: string;
}

/** What a list endpoint selects. */
export type Selection =
  | { jobRunId: string }
  | { taskRunId: string }
  | { type: LogType }
  | { system: true };

/** A page of a list endpoint, as the server sends it. */
export interface LogPage {
  logs: LogMessage[];
  limit: number;
  offset: number;
  has_more: boolean;
  /** Continues after this page, in its order, with its filters; `null` on the last page. */
  next_cursor: string | null;
  /**
   * Reads the rows before this page's first, in the other order (newest first after an oldest-first page);
   * `null` when the page starts its selection or is empty.
   */
  prev_cursor: string | null;
}

/** How to ask for one page. */
export interface PageOptions {
  limit?: number;
  offset?: number;
  cursor?: string;
  /** Start the page at the log with this id (a link to one line); not with `cursor` or `offset`. */
  fromId?: number;
  order?: 'asc' | 'desc';
  filters?: LogFilters;
  signal?: AbortSignal;
}

/** Rows per level. */
export interface LevelCounts {
  debug: number;
  info: number;
  warn: number;
  error: number;
}

/** One task run of a job run's summary. */
export interface TaskRunSummary {
  task_run_id: string;
  /** The name the application's `task_runs` table gives it, where it has one. */
  task_name: string | null;
  first: string | null;
  last: string | null;
  counts: LevelCounts;
  streams: Partial<Record<LogStream, number>>;
}

/** `GET /job-runs/{id}/summary`: a job run's span and counts, and each of its task runs'. */
export interface JobRunSummary {
  job_run_id: string;
  first: string | null;
  last: string | null;
  counts: LevelCounts;
  tasks: TaskRunSummary[];
}

/** One entry of the job runs list. */
export interface JobRunEntry {
  job_run_id: string;
  first: string | null;
  last: string | null;
  logs: number;
  errors: number;
  warnings: number;
  tasks: number;
}

/** `GET /stream/status`: the server's feed and its clients. */
export interface StreamStatus {
  /** The feed holds a `LISTEN` on the writers' channel. */
  listening: boolean;
  /** `notify` (woken by the writers' notifications, and polling now and then) or `poll` (only polling: no channel, or a hot standby). */
  mode: 'notify' | 'poll';
  /** The server reads a hot standby. */
  standby: boolean;
  /** How often the feed looks for new rows without a notification. */
  poll_interval_ms: number;
  channel: string | null;
  /** The highest log id the feed has seen. */
  last_id: number;
  clients: { sse: number; ws: number };
  notifications: number;
  polls: number;
  last_error: string | null;
}

/** `GET /stats`: the monitoring queries over a window, and the table's size and growth. */
export interface LogStats {
  /** The window as asked, e.g. `1h`. */
  window: string;
  /** The window's start, UTC. */
  since: string;
  /** Rows of each type in the whole table. */
  by_type: Record<string, number>;
  /** Rows of each level in the window. */
  by_level: Record<string, number>;
  /** Job runs with logs in the window, the highest error rate first. */
  error_rates: { job_run_id: string; errors: number; total_logs: number; error_rate: number }[];
  table: { total_bytes: number; table_bytes: number; index_bytes: number };
  /** The last 7 UTC days, oldest first. */
  rows_per_day: { day: string; rows: number }[];
}

/** `GET /job-runs`: job runs with logs, newest activity first. */
export interface JobRunPage {
  job_runs: JobRunEntry[];
  limit: number;
  has_more: boolean;
  next_cursor: string | null;
}
