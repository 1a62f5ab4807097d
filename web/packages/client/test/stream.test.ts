import { describe, expect, it, vi } from 'vitest';
import { LogEventStream, LogApiError, StreamClosedError, type LogMessage, type StreamClosed } from '../src/index.js';
import { event, json, scriptedFetch, sse } from './fakes.js';

const noWait = () => Promise.resolve();

function collect() {
  const messages: LogMessage[] = [];
  const errors: Error[] = [];
  return { messages, errors, handlers: { onMessage: (m: LogMessage) => messages.push(m), onError: (e: Error) => errors.push(e) } };
}

describe('LogEventStream', () => {
  it('reads events split anywhere across chunks, with comments and multi-line data', async () => {
    const whole = `: heartbeat\n\nid: 5\nevent: ready\ndata: {"position": 5}\n\n${event(6, 'six')}id: 7\nevent: log\ndata: {"id": 7, "type": "system",\ndata: "message": "seven", "level": "info", "stream": "system", "timestamp": null, "job_run_id": null}\n\n`;
    const chunks = [whole.slice(0, 3), whole.slice(3, 40), whole.slice(40, 41), whole.slice(41, 120), whole.slice(120)];
    const { fetch } = scriptedFetch([sse(...chunks)]);
    const got = collect();
    const opened = vi.fn();
    const stream = new LogEventStream({ url: 'http://x/api/v1/logs/stream/sse', headers: {}, fetch }, { ...got.handlers, onOpen: opened }, noWait);
    await vi.waitFor(() => expect(got.messages).toHaveLength(2));
    stream.close();
    expect(got.messages.map((m) => m.message)).toEqual(['six', 'seven']);
    expect(opened).toHaveBeenCalledTimes(1);
    expect(got.errors).toEqual([]);
  });

  it('tells why the server closed the stream, and reconnects after the last row', async () => {
    const close = 'event: close\ndata: {"error": "the server is stopping"}\n\n';
    const { fetch, requests } = scriptedFetch([sse(event(1), close), sse(event(2), close), sse(event(3))]);
    const got = collect();
    const closes: StreamClosed[] = [];
    const stream = new LogEventStream({ url: 'http://x/s', headers: {}, fetch }, { ...got.handlers, onClose: (c) => closes.push(c) }, noWait);
    await vi.waitFor(() => expect(got.messages.map((m) => m.id)).toEqual([1, 2, 3]));
    stream.close();
    expect(closes).toEqual([{ reason: 'the server is stopping', willReconnect: true }, { reason: 'the server is stopping', willReconnect: true }]);
    expect(requests[1]?.headers['last-event-id']).toBe('1');
    expect(got.errors).toEqual([]);

    // without onClose, the reason reaches onError
    const other = scriptedFetch([sse(event(1), 'event: close\ndata: {"error": "fell behind"}\n\n')]);
    const without = collect();
    const second = new LogEventStream({ url: 'http://x/s', headers: {}, fetch: other.fetch }, without.handlers, noWait);
    await vi.waitFor(() => expect(without.errors).toHaveLength(1));
    second.close();
    expect(without.errors[0]).toBeInstanceOf(StreamClosedError);
    expect((without.errors[0] as StreamClosedError).closed.reason).toBe('fell behind');
  });

  it('reconnects with Last-Event-ID and delivers a row the server sends again only once', async () => {
    const { fetch, requests } = scriptedFetch([
      sse(event(1), event(2)),
      sse(event(2), event(3)), // the server resends 2 after the reconnection
    ]);
    const got = collect();
    const stream = new LogEventStream({ url: 'http://x/s', headers: { Authorization: 'Bearer t' }, fetch }, got.handlers, noWait);
    await vi.waitFor(() => expect(got.messages.map((m) => m.id)).toEqual([1, 2, 3]));
    expect(requests[0]?.headers['last-event-id']).toBeUndefined();
    expect(requests[1]?.headers['last-event-id']).toBe('2');
    expect(requests[1]?.headers.authorization).toBe('Bearer t');
    expect(stream.lastId).toBe(3);
    stream.close();
  });

  it('starts after afterId and honours the server retry field', async () => {
    const delays: number[] = [];
    const { fetch, requests } = scriptedFetch([sse('retry: 5000\n\n', event(11))]);
    const got = collect();
    const stream = new LogEventStream({ url: 'http://x/s', headers: {}, fetch }, { ...got.handlers, afterId: 10 }, (ms) => {
      delays.push(ms);
      return Promise.resolve();
    });
    await vi.waitFor(() => expect(requests.length).toBeGreaterThan(1));
    stream.close();
    expect(requests[0]?.headers['last-event-id']).toBe('10');
    expect(delays[0]).toBeGreaterThanOrEqual(2500);
    expect(delays[0]).toBeLessThanOrEqual(5000);
  });

  it('reports a failure and retries, but stops on a 400 that will not change', async () => {
    const { fetch, requests } = scriptedFetch([
      () => { throw new TypeError('fetch failed'); },
      json({ error: 'level: "loud" is not one of debug, info, warn, error', parameter: 'level' }, 400),
    ]);
    const got = collect();
    const stream = new LogEventStream({ url: 'http://x/s', headers: {}, fetch }, got.handlers, noWait);
    await vi.waitFor(() => expect(got.errors).toHaveLength(2));
    expect(got.errors[0]).toBeInstanceOf(TypeError);
    expect(got.errors[1]).toBeInstanceOf(LogApiError);
    expect((got.errors[1] as LogApiError).parameter).toBe('level');
    await vi.waitFor(() => expect(stream.closed).toBe(true));
    expect(requests).toHaveLength(2);
  });

  it('keeps retrying through a 503', async () => {
    const { fetch } = scriptedFetch([json({ error: 'the database is unavailable' }, 503), sse(event(1))]);
    const got = collect();
    const stream = new LogEventStream({ url: 'http://x/s', headers: {}, fetch }, got.handlers, noWait);
    await vi.waitFor(() => expect(got.messages).toHaveLength(1));
    expect((got.errors[0] as LogApiError).retryable).toBe(true);
    stream.close();
  });

  it('calls nothing after close, and an aborted signal closes it', async () => {
    const { fetch, requests } = scriptedFetch([]);
    const got = collect();
    const abort = new AbortController();
    const stream = new LogEventStream({ url: 'http://x/s', headers: {}, fetch }, { ...got.handlers, signal: abort.signal }, noWait);
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    abort.abort();
    expect(stream.closed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(got.errors).toEqual([]);
    expect(requests).toHaveLength(1);
  });
});
