import { describe, expect, it, vi } from 'vitest';
import { LogApiError, LogStreamingService, type LogPage } from '../src/index.js';
import { event, json, log, scriptedFetch, sse } from './fakes.js';

function page(ids: number[], nextCursor: string | null): LogPage {
  return { logs: ids.map((id) => JSON.parse(log(id))), limit: 2, offset: 0, has_more: nextCursor !== null, next_cursor: nextCursor,
    prev_cursor: null };
}

describe('LogStreamingService', () => {
  it("has the seed's list methods, with limit and offset", async () => {
    const { fetch, requests } = scriptedFetch([json(page([1, 2], 'c1')), json(page([3], null)), json(page([4], null)),
      json(page([5], null))]);
    const service = new LogStreamingService({ baseUrl: 'http://logs.example:8080/', fetch });
    expect((await service.getJobRunLogs('job-123', 100, 0)).map((l) => l.id)).toEqual([1, 2]);
    await service.getSystemLogs(50, 10);
    await service.getLogsByType('task', 100, 0);
    await service.getTaskRunLogs('t 1');
    expect(requests.map((r) => r.url)).toEqual([
      'http://logs.example:8080/api/v1/logs/job-runs/job-123?limit=100',
      'http://logs.example:8080/api/v1/logs/system?limit=50&offset=10',
      'http://logs.example:8080/api/v1/logs/type/task?limit=100',
      'http://logs.example:8080/api/v1/logs/task-runs/t%201?limit=100',
    ]);
  });

  it('sends the filters in the server names and the token as a bearer header', async () => {
    const { fetch, requests } = scriptedFetch([json(page([], null))]);
    const service = new LogStreamingService({ baseUrl: 'http://x', token: 's3cret', fetch });
    await service.getJobRunLogs('j', 10, 0, {
      order: 'desc',
      filters: { level: ['error', 'warn'], stream: ['stderr'], since: new Date('2026-11-29T08:00:00Z'), until: '2026-11-29T09:00:00Z',
        q: '50% done', meta: { status_code: 500 }, taskRunId: 't' },
    });
    const url = new URL(requests[0]!.url);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      level: 'error,warn', stream: 'stderr', since: '2026-11-29T08:00:00.000Z', until: '2026-11-29T09:00:00Z', q: '50% done',
      task_run_id: 't', 'meta.status_code': '500', limit: '10', order: 'desc',
    });
    expect(requests[0]!.headers.authorization).toBe('Bearer s3cret');
  });

  it('pages by cursor until the last page, through pages a search left empty', async () => {
    const { fetch, requests } = scriptedFetch([json(page([1, 2], 'c1')), json(page([], 'c2')), json(page([3], null))]);
    const service = new LogStreamingService({ baseUrl: 'http://x', fetch });
    const ids: number[] = [];
    for await (const row of service.logs({ jobRunId: 'j' }, { limit: 2, filters: { q: 'rare' } })) {
      ids.push(row.id);
    }
    expect(ids).toEqual([1, 2, 3]);
    expect(requests.map((r) => new URL(r.url).searchParams.get('cursor'))).toEqual([null, 'c1', 'c2']);
  });

  it("turns the server's 400 into a LogApiError naming the parameter", async () => {
    const { fetch } = scriptedFetch([json({ error: "limit: 'ten' is not a whole number", parameter: 'limit' }, 400)]);
    const service = new LogStreamingService({ baseUrl: 'http://x', fetch });
    const failure = await service.getSystemLogs(100, 0).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LogApiError);
    expect(failure).toMatchObject({ status: 400, parameter: 'limit', message: "limit: 'ten' is not a whole number", retryable: false });
  });

  it('cancels a call with an AbortSignal', async () => {
    const fetchImpl = ((_url: RequestInfo | URL, init?: RequestInit) => new Promise<Response>((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    })) as typeof fetch;
    const service = new LogStreamingService({ baseUrl: 'http://x', fetch: fetchImpl });
    const abort = new AbortController();
    const call = service.getJobRunLogs('j', 100, 0, { signal: abort.signal });
    abort.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('streams all logs, a job run, a task run or a type, with filters', async () => {
    const { fetch, requests } = scriptedFetch([sse(event(1)), sse(), sse(), sse()]);
    const service = new LogStreamingService({ baseUrl: 'http://x', token: 't', fetch });
    const seen: number[] = [];
    const all = service.streamAllLogs({ onMessage: (l) => seen.push(l.id) });
    await vi.waitFor(() => expect(seen).toEqual([1]));
    all.close();
    service.streamJobRun('j', { onMessage: () => {}, filters: { level: ['error'] } }).close();
    service.streamTaskRun('t', { onMessage: () => {} }).close();
    service.streamType('system', { onMessage: () => {} }).close();
    await vi.waitFor(() => expect(requests).toHaveLength(4));
    expect(requests.map((r) => r.url)).toEqual([
      'http://x/api/v1/logs/stream/sse',
      'http://x/api/v1/logs/stream/sse?job_run_id=j&level=error',
      'http://x/api/v1/logs/stream/sse?task_run_id=t',
      'http://x/api/v1/logs/stream/sse?type=system',
    ]);
    expect(requests[0]!.headers.accept).toBe('text/event-stream');
  });

  it('lists job runs and reads a summary', async () => {
    const summary = { job_run_id: 'j', first: null, last: null, counts: { debug: 0, info: 1, warn: 0, error: 1 }, tasks: [] };
    const { fetch, requests } = scriptedFetch([json({ job_runs: [], limit: 20, has_more: false, next_cursor: null }), json(summary)]);
    const service = new LogStreamingService({ baseUrl: 'http://x', fetch });
    expect((await service.getJobRuns({ since: new Date('2026-11-29T00:00:00Z'), limit: 20, cursor: 'c' })).has_more).toBe(false);
    expect(await service.getJobRunSummary('j 1')).toEqual(summary);
    expect(requests.map((r) => r.url)).toEqual([
      'http://x/api/v1/logs/job-runs?since=2026-11-29T00%3A00%3A00.000Z&limit=20&cursor=c',
      'http://x/api/v1/logs/job-runs/j%201/summary',
    ]);
  });

  it('downloads a selection with its filters', async () => {
    const { fetch, requests } = scriptedFetch([() => new Response('{"id": 1}\n', { headers: { 'Content-Type': 'application/x-ndjson' } })]);
    const service = new LogStreamingService({ baseUrl: 'http://x', token: 't', fetch });
    const file = await service.download({ jobRunId: 'j' }, 'ndjson', { filters: { level: ['error'] }, order: 'desc' });
    expect(await file.text()).toBe('{"id": 1}\n');
    expect(requests[0]!.url).toBe('http://x/api/v1/logs/job-runs/j/download?level=error&format=ndjson&order=desc');
    expect(requests[0]!.headers.authorization).toBe('Bearer t');
  });

  it('needs a baseUrl outside a page', () => {
    expect(() => new LogStreamingService()).toThrow(/baseUrl/);
  });
});
