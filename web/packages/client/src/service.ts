import { LogApiError } from './errors.js';
import { filterParams, pageParams, selectionPath } from './query.js';
import { LogEventStream, type StreamHandle, type StreamHandlers } from './stream.js';
import type { JobRunPage, JobRunSummary, StreamStatus, LogFilters, LogMessage, LogPage, LogStats, LogType, PageOptions, Selection } from './types.js';

/** Where the server is and how to reach it. */
export interface LogStreamingOptions {
  /** The server's address, e.g. `http://localhost:8080`; by default the page's own origin. */
  baseUrl?: string;
  /** The server's token (`serve --token`), sent as `Authorization: Bearer`. */
  token?: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

/** Options of a list call beyond the seed's `limit` and `offset`. */
export interface ListOptions {
  filters?: LogFilters;
  order?: 'asc' | 'desc';
  signal?: AbortSignal;
}

const API_ROOT = '/api/v1/logs';

/**
 * The seed's log client: the list endpoints (`getJobRunLogs`, `getSystemLogs`, `getLogsByType`, and
 * `getTaskRunLogs`), cursor paging as an async iterator, and streams that reconnect and resume by
 * themselves.
 *
 * ```ts
 * const logService = new LogStreamingService();
 * const jobLogs = await logService.getJobRunLogs('…', 100, 0);
 * const streamer = logService.streamAllLogs({ onMessage: (log) => console.log(log.message) });
 * streamer.close();
 * ```
 */
export class LogStreamingService {
  private readonly api: string;
  private readonly headers: Record<string, string>;
  private readonly fetchImpl: typeof fetch;

  constructor(options: LogStreamingOptions = {}) {
    const base = options.baseUrl ?? globalThis.location?.origin;
    if (!base) {
      throw new Error('LogStreamingService needs a baseUrl outside a browser page');
    }
    this.api = base.replace(/\/+$/, '') + API_ROOT;
    this.headers = options.token ? { Authorization: `Bearer ${options.token}` } : {};
    const fetchImpl = options.fetch ?? globalThis.fetch;
    this.fetchImpl = (input, init) => fetchImpl(input, init); // unbound window.fetch throws "Illegal invocation"
  }

  /** A job run's logs, its own and its tasks', oldest first. */
  async getJobRunLogs(jobRunId: string, limit = 100, offset = 0, options: ListOptions = {}): Promise<LogMessage[]> {
    return (await this.getPage({ jobRunId }, { ...options, limit, offset })).logs;
  }

  /** A task run's logs, oldest first. */
  async getTaskRunLogs(taskRunId: string, limit = 100, offset = 0, options: ListOptions = {}): Promise<LogMessage[]> {
    return (await this.getPage({ taskRunId }, { ...options, limit, offset })).logs;
  }

  /** The system logs, oldest first. */
  async getSystemLogs(limit = 100, offset = 0, options: ListOptions = {}): Promise<LogMessage[]> {
    return (await this.getPage({ system: true }, { ...options, limit, offset })).logs;
  }

  /** The logs of one type, oldest first. */
  async getLogsByType(type: LogType, limit = 100, offset = 0, options: ListOptions = {}): Promise<LogMessage[]> {
    return (await this.getPage({ type }, { ...options, limit, offset })).logs;
  }

  /** One page with its paging fields. */
  async getPage(selection: Selection, options: PageOptions = {}): Promise<LogPage> {
    return this.get<LogPage>(`${selectionPath(selection)}?${pageParams(options).toString()}`, options.signal);
  }

  /** The job runs that have logs, newest activity first; `since` keeps those with a log since then. */
  async getJobRuns(options: { since?: Date | string; limit?: number; cursor?: string; signal?: AbortSignal } = {}): Promise<JobRunPage> {
    const params = new URLSearchParams();
    if (options.since !== undefined) {
      params.set('since', options.since instanceof Date ? options.since.toISOString() : options.since);
    }
    if (options.limit !== undefined) {
      params.set('limit', String(options.limit));
    }
    if (options.cursor !== undefined) {
      params.set('cursor', options.cursor);
    }
    const query = params.toString();
    return this.get<JobRunPage>(`/job-runs${query ? `?${query}` : ''}`, options.signal);
  }

  /** The stream feed's state, with the highest log id it has seen. */
  async getStreamStatus(options: { signal?: AbortSignal } = {}): Promise<StreamStatus> {
    return this.get<StreamStatus>('/stream/status', options.signal);
  }

  /** A job run's counts by level, and each task run's by level and stream. */
  async getJobRunSummary(jobRunId: string, options: { signal?: AbortSignal } = {}): Promise<JobRunSummary> {
    return this.get<JobRunSummary>(`/job-runs/${encodeURIComponent(jobRunId)}/summary`, options.signal);
  }

  /**
   * The monitoring answer: rows by type in the whole table, by level and each job run's error rate in the
   * last `window` (`1h` by default; `30m`, `1d`...), the table's size, rows per day for a week.
   */
  async getStats(options: { window?: string; signal?: AbortSignal } = {}): Promise<LogStats> {
    const query = options.window ? `?window=${encodeURIComponent(options.window)}` : '';
    return this.get<LogStats>(`/stats${query}`, options.signal);
  }

  /**
   * The whole selection as a file, with the filters and order: NDJSON (a log per line) or text. The server
   * offers it for a job run, a task run and the system logs.
   */
  async download(selection: { jobRunId: string } | { taskRunId: string } | { system: true }, format: 'ndjson' | 'text' = 'ndjson',
    options: { filters?: LogFilters; order?: 'asc' | 'desc'; signal?: AbortSignal } = {}): Promise<Blob> {
    const params = filterParams(options.filters);
    params.set('format', format);
    if (options.order === 'desc') {
      params.set('order', 'desc');
    }
    const response = await this.fetchImpl(`${this.api}${selectionPath(selection)}/download?${params.toString()}`,
      { headers: this.headers, signal: options.signal });
    if (!response.ok) {
      throw await LogApiError.from(response);
    }
    return response.blob();
  }

  private async get<T>(path: string, signal: AbortSignal | undefined): Promise<T> {
    const response = await this.fetchImpl(`${this.api}${path}`, { headers: this.headers, signal });
    if (!response.ok) {
      throw await LogApiError.from(response);
    }
    return (await response.json()) as T;
  }

  /**
   * Every page of a selection, by cursor, until the last. A page of a `q` or `meta` search may hold fewer
   * rows than `limit`, even none, and still be followed by more: the server bounds the rows each page reads.
   */
  async *pages(selection: Selection, options: Omit<PageOptions, 'offset' | 'cursor'> = {}): AsyncGenerator<LogPage> {
    let cursor: string | undefined;
    while (true) {
      const page = await this.getPage(selection, { ...options, cursor });
      yield page;
      if (!page.has_more || page.next_cursor === null) {
        return;
      }
      cursor = page.next_cursor;
    }
  }

  /** Every row of a selection, page after page. */
  async *logs(selection: Selection, options: Omit<PageOptions, 'offset' | 'cursor'> = {}): AsyncGenerator<LogMessage> {
    for await (const page of this.pages(selection, options)) {
      yield* page.logs;
    }
  }

  /** Every new log of any type, as it is written. */
  streamAllLogs(handlers: StreamHandlers): StreamHandle {
    return this.stream(new URLSearchParams(), handlers);
  }

  /** A job run's new logs, its own and its tasks'. */
  streamJobRun(jobRunId: string, handlers: StreamHandlers): StreamHandle {
    return this.stream(new URLSearchParams({ job_run_id: jobRunId }), handlers);
  }

  /** A task run's new logs. */
  streamTaskRun(taskRunId: string, handlers: StreamHandlers): StreamHandle {
    return this.stream(new URLSearchParams({ task_run_id: taskRunId }), handlers);
  }

  /** The new logs of one type. */
  streamType(type: LogType, handlers: StreamHandlers): StreamHandle {
    return this.stream(new URLSearchParams({ type }), handlers);
  }

  private stream(selection: URLSearchParams, handlers: StreamHandlers): StreamHandle {
    const params = filterParams(handlers.filters, selection);
    const query = params.toString();
    return new LogEventStream({ url: `${this.api}/stream/sse${query ? `?${query}` : ''}`, headers: this.headers, fetch: this.fetchImpl }, handlers);
  }
}
