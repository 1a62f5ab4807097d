import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { LogApiError } from './errors.js';
import type { LogFilters, LogMessage } from './types.js';

/** What a stream tells its user. */
export interface StreamHandlers {
  /** Each row once, in the order the server sends them. */
  onMessage(log: LogMessage): void;
  /** A failure; the stream reconnects by itself unless {@link LogApiError.retryable} is false. */
  onError?(error: Error): void;
  /** Each time a connection is ready: rows from then on will come through it. */
  onOpen?(): void;
  /**
   * The server ended the stream and said why (it is stopping, or this client fell too far behind). The
   * stream reconnects by itself and resumes after the last row seen, so nothing is missed; without this
   * handler the reason reaches {@link onError} as a {@link StreamClosedError}.
   */
  onClose?(closed: StreamClosed): void;
  /** Server-side filters: the stream carries only the rows that match. */
  filters?: LogFilters;
  /** Start after this row id (the rows after it are sent from the table first). */
  afterId?: number;
  /** Closes the stream when aborted. */
  signal?: AbortSignal;
}

/** Why the server ended a stream. */
export interface StreamClosed {
  /** The server's words. */
  reason: string;
  /** Whether the stream connects again by itself (always, unless it was closed meanwhile). */
  willReconnect: boolean;
}

/** The server ended the stream; it reconnects by itself (see {@link StreamClosed}). */
export class StreamClosedError extends Error {
  constructor(readonly closed: StreamClosed) {
    super(`the server closed the stream: ${closed.reason}`);
    this.name = 'StreamClosedError';
  }
}

/** A running stream. */
export interface StreamHandle {
  /** Ends the stream; no handler is called after it returns. */
  close(): void;
  readonly closed: boolean;
  /** The last row id seen, what a reconnection resumes from. */
  readonly lastId: number | undefined;
}

/** How a stream connects; the service supplies it. */
export interface StreamTarget {
  url: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
}

const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
const REMEMBERED_IDS = 10_000;

/**
 * Server-Sent Events read over `fetch` (so it runs in browsers and Node 20 alike and can send
 * `Authorization`), reconnecting with backoff and resuming from the last id seen (`Last-Event-ID`).
 * A row that arrives twice (the server resends after a reconnection) is delivered once.
 */
export class LogEventStream implements StreamHandle {
  private readonly controller = new AbortController();
  private readonly seen = new Set<number>();
  private readonly seenOrder: number[] = [];
  private lastEventId: string | undefined;
  private retryMs = MIN_RETRY_MS;
  private attempt = 0;
  private done = false;

  constructor(
    private readonly target: StreamTarget,
    private readonly handlers: StreamHandlers,
    private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void> = abortableSleep,
  ) {
    if (handlers.afterId !== undefined) {
      this.lastEventId = String(handlers.afterId);
    }
    if (handlers.signal) {
      if (handlers.signal.aborted) {
        this.done = true;
        return;
      }
      handlers.signal.addEventListener('abort', () => this.close(), { once: true });
    }
    void this.run();
  }

  get closed(): boolean {
    return this.done;
  }

  get lastId(): number | undefined {
    return this.lastEventId === undefined ? undefined : Number(this.lastEventId);
  }

  close(): void {
    this.done = true;
    this.controller.abort();
  }

  private async run(): Promise<void> {
    while (!this.done) {
      try {
        await this.connectOnce();
      } catch (error) {
        if (this.done) {
          return;
        }
        const failure = error instanceof Error ? error : new Error(String(error));
        this.handlers.onError?.(failure);
        if (failure instanceof LogApiError && !failure.retryable) {
          this.done = true;
          return;
        }
      }
      if (this.done) {
        return;
      }
      try {
        await this.sleep(this.nextDelay(), this.controller.signal);
      } catch {
        return; // closed while waiting
      }
    }
  }

  /** Exponential from the server's `retry:` (or 1 s), up to 30 s, with jitter; reset once a connection is ready. */
  private nextDelay(): number {
    const step = Math.min(MAX_RETRY_MS, this.retryMs * 2 ** Math.min(this.attempt, 10));
    this.attempt++;
    return step / 2 + Math.random() * (step / 2);
  }

  private async connectOnce(): Promise<void> {
    const headers: Record<string, string> = { ...this.target.headers, Accept: 'text/event-stream' };
    if (this.lastEventId !== undefined) {
      headers['Last-Event-ID'] = this.lastEventId;
    }
    const response = await this.target.fetch(this.target.url, { headers, signal: this.controller.signal, cache: 'no-store' });
    if (!response.ok) {
      throw await LogApiError.from(response);
    }
    if (!response.body) {
      throw new Error('the stream answered without a body');
    }
    const parser = createParser({
      onEvent: (event) => this.dispatch(event),
      onRetry: (ms) => {
        this.retryMs = Math.max(MIN_RETRY_MS, ms);
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      while (!this.done) {
        const { value, done } = await reader.read();
        if (done) {
          return; // the server ended the stream: reconnect
        }
        parser.feed(value);
      }
    } finally {
      reader.releaseLock();
    }
  }

  private dispatch(event: EventSourceMessage): void {
    if (this.done) {
      return;
    }
    if (event.id !== undefined && event.id !== '') {
      this.lastEventId = event.id;
    }
    if (event.event === 'ready') {
      this.attempt = 0;
      this.handlers.onOpen?.();
      return;
    }
    if (event.event === 'close') {
      const closed: StreamClosed = { reason: closeReason(event.data), willReconnect: !this.done };
      if (this.handlers.onClose) {
        this.handlers.onClose(closed);
      } else {
        this.handlers.onError?.(new StreamClosedError(closed));
      }
      return;
    }
    if (event.event !== undefined && event.event !== 'log' && event.event !== 'message') {
      return; // an event this client does not know
    }
    let log: LogMessage;
    try {
      log = JSON.parse(event.data) as LogMessage;
    } catch {
      this.handlers.onError?.(new Error(`a stream event is not JSON: ${event.data.slice(0, 60)}`));
      return;
    }
    if (this.seen.has(log.id)) {
      return;
    }
    this.remember(log.id);
    this.handlers.onMessage(log);
  }

  private remember(id: number): void {
    this.seen.add(id);
    this.seenOrder.push(id);
    if (this.seenOrder.length > REMEMBERED_IDS) {
      const oldest = this.seenOrder.shift();
      if (oldest !== undefined) {
        this.seen.delete(oldest);
      }
    }
  }
}

/** The reason in a `close` event's data, an error body (`{"error": "..."}`), or the data itself. */
function closeReason(data: string): string {
  try {
    const body = JSON.parse(data) as { error?: unknown };
    if (typeof body.error === 'string') {
      return body.error;
    }
  } catch {
    // not JSON: the text is the reason
  }
  return data;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
