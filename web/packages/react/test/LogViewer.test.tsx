// @vitest-environment jsdom
import { LogStreamingService } from '@stratal/logs-client';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatTime, LogViewer } from '../src/index.js';
import { event, json, log, scriptedFetch, sse } from '../../client/test/fakes.js';

beforeAll(() => {
  // jsdom lays nothing out: give the list a size so the virtualiser renders rows
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  Element.prototype.getBoundingClientRect = function () {
    return { width: 800, height: 400, top: 0, left: 0, right: 800, bottom: 400, x: 0, y: 0, toJSON() {} } as DOMRect;
  };
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 400 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 400 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 800 });
  Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 800 });
});

afterEach(cleanup);

const SUMMARY = json({ job_run_id: 'j', first: null, last: null, counts: { debug: 0, info: 3, warn: 0, error: 1 }, tasks: [
  { task_run_id: 't0000000-1', task_name: 'fetch-orders', first: null, last: null, counts: { debug: 0, info: 2, warn: 0, error: 1 },
    streams: { stdout: 3 } },
  { task_run_id: 't0000000-2', task_name: null, first: null, last: null, counts: { debug: 0, info: 1, warn: 0, error: 0 }, streams: { stdout: 1 } },
] });
const ROUTES = { '/summary': SUMMARY };

function page(ids: number[], next: string | null, message?: (id: number) => string) {
  return json({ logs: ids.map((id) => JSON.parse(log(id, message?.(id)))), limit: 1000, offset: 0, has_more: next !== null,
    next_cursor: next });
}

describe('LogViewer', () => {
  it('shows every stored page, then the live rows once each, with the number of lines', async () => {
    const { fetch, requests } = scriptedFetch([page([1, 2, 3], 'c1'), page([4], null), sse(event(4), event(5))], ROUTES);
    const service = new LogStreamingService({ baseUrl: 'http://x', fetch });
    render(<LogViewer jobRunId="job-123" height="600px" service={service} />);
    await waitFor(() => expect(screen.getByTestId('line-count').textContent).toBe('5 lines'));
    expect([...document.querySelectorAll('.stratal-line')].map((e) => e.getAttribute('data-id'))).toEqual(['1', '2', '3', '4', '5']);
    expect(requests[2]?.url).toBe('http://x/api/v1/logs/stream/sse?job_run_id=job-123');
    expect(requests[2]?.headers['last-event-id']).toBe('4');
    expect(screen.getByRole('region', { name: 'Job run job-123' })).toBeTruthy();
  });

  it('renders hostile text as text and ANSI colours as spans', async () => {
    const messages: Record<number, string> = {
      1: '<script>window.owned = true</script><img src=x onerror=alert(1)>',
      2: '\u001b[31mred\u001b[0m plain \u001b[1;32mbold green\u001b[0m',
    };
    const { fetch } = scriptedFetch([page([1, 2], null, (id) => messages[id]!)]);
    const service = new LogStreamingService({ baseUrl: 'http://x', fetch });
    const { container } = render(<LogViewer filterType="task" live={false} service={service} />);
    await waitFor(() => expect(screen.getByTestId('line-count').textContent).toBe('2 lines'));
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain('<script>window.owned = true</script>');
    const red = container.querySelector('.ansi-red-fg');
    expect(red?.textContent).toBe('red');
    expect(container.querySelector('.ansi-green-fg.ansi-bold')?.textContent).toBe('bold green');
    expect(container.textContent).not.toContain('\u001b');
    expect((globalThis as { owned?: boolean }).owned).toBeUndefined();
  });

  it("shows the seed's SystemDashboard: two viewers on one page, each with its own rows", async () => {
    const system = scriptedFetch([page([10, 11], null, (id) => `system ${id}`)]);
    const job = scriptedFetch([page([20], null, (id) => `job ${id}`)], ROUTES);
    render(
      <div>
        <h2>System Logs</h2>
        <LogViewer filterType="system" height="400px" live={false} service={new LogStreamingService({ baseUrl: 'http://x', fetch: system.fetch })} />
        <h2>Job Execution</h2>
        <LogViewer jobRunId="job-123" height="600px" live={false} service={new LogStreamingService({ baseUrl: 'http://x', fetch: job.fetch })} />
      </div>,
    );
    const systemView = screen.getByRole('region', { name: 'System logs' });
    const jobView = screen.getByRole('region', { name: 'Job run job-123' });
    await waitFor(() => expect(within(systemView).getByTestId('line-count').textContent).toBe('2 lines'));
    await waitFor(() => expect(within(jobView).getByTestId('line-count').textContent).toBe('1 line'));
    expect(systemView.textContent).toContain('system 11');
    expect(systemView.textContent).not.toContain('job 20');
    expect(jobView.textContent).toContain('job 20');
    expect(system.requests[0]?.url).toBe('http://x/api/v1/logs/system?limit=1000');
  });

  it('sends the filters to the server, highlights the search and steps through its matches', async () => {
    const { fetch, requests } = scriptedFetch([
      page([1, 2, 3], null, (id) => `Disk ${id} ok`),
      page([2, 3], null, (id) => `Disk ${id} TIMEOUT, then timeout again`),
      page([3], null, (id) => `Disk ${id} TIMEOUT`),
    ], ROUTES);
    const { container } = render(<LogViewer jobRunId="j" live={false} service={new LogStreamingService({ baseUrl: 'http://x', fetch })} />);
    await waitFor(() => expect(screen.getByTestId('line-count').textContent).toBe('3 lines'));

    fireEvent.change(screen.getByRole('searchbox', { name: 'Search' }), { target: { value: 'timeout' } });
    await waitFor(() => expect(screen.getByTestId('line-count').textContent).toBe('2 lines'));
    expect(new URL(requests[1]!.url).searchParams.get('q')).toBe('timeout');
    expect([...container.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['TIMEOUT', 'timeout', 'TIMEOUT', 'timeout']);
    expect(screen.getByTestId('match-position').textContent).toBe('1 of 2');
    fireEvent.click(screen.getByRole('button', { name: 'Next match' }));
    expect(screen.getByTestId('match-position').textContent).toBe('2 of 2');
    expect(container.querySelector('.stratal-current')?.getAttribute('data-id')).toBe('3');
    fireEvent.click(screen.getByRole('button', { name: 'Previous match' }));
    expect(screen.getByTestId('match-position').textContent).toBe('1 of 2');

    fireEvent.click(screen.getByRole('checkbox', { name: 'error' }));
    await waitFor(() => expect(screen.getByTestId('line-count').textContent).toBe('1 line'));
    expect(Object.fromEntries(new URL(requests[2]!.url).searchParams)).toMatchObject({ level: 'error', q: 'timeout' });
  });

  it("lists a job run's tasks with their counts and an error mark, and folds a task's lines away", async () => {
    const rows = (id: number) => JSON.parse(log(id));
    const lines = [1, 2, 3, 4].map((id) => ({ ...rows(id), task_run_id: id === 4 ? 't0000000-2' : 't0000000-1' }));
    const { fetch } = scriptedFetch([json({ logs: lines, limit: 1000, offset: 0, has_more: false, next_cursor: null })], ROUTES);
    render(<LogViewer jobRunId="j" live={false} service={new LogStreamingService({ baseUrl: 'http://x', fetch })} />);
    const tasks = await screen.findByRole('list', { name: 'Tasks' });
    const items = within(tasks).getAllByRole('listitem');
    // a task with a name in task_runs is shown by it, one without by its id's start
    expect(items.map((item) => item.textContent)).toEqual(['▾✖fetch-orders3 lines, 1 error', '▾✓t00000001 line']);
    await waitFor(() => expect(document.querySelector('.stratal-line[data-id="1"] .stratal-task')?.textContent).toBe('fetch-orders'));
    expect(document.querySelector('.stratal-line[data-id="4"] .stratal-task')?.textContent).toBe('t0000000');
    fireEvent.click(within(tasks).getByRole('button', { name: 'Fold task t0000000-1' }));
    await waitFor(() => expect(screen.getByTestId('line-count').textContent).toBe('4 lines, 1 shown'));
    expect([...document.querySelectorAll('.stratal-line')].map((e) => e.getAttribute('data-id'))).toEqual(['4']);
    fireEvent.click(within(tasks).getByRole('button', { name: 'Unfold task t0000000-1' }));
    await waitFor(() => expect(screen.getByTestId('line-count').textContent).toBe('4 lines'));
  });

  it('expands metadata as JSON, marks a line given from outside and reports a line the user picks', async () => {
    const withMetadata = (id: number) => ({ ...JSON.parse(log(id)), metadata: id === 2 ? { status_code: 500, nested: { a: [1] } } : null });
    const { fetch } = scriptedFetch([json({ logs: [1, 2, 3].map(withMetadata), limit: 1000, offset: 0, has_more: false, next_cursor: null })]);
    const picked = vi.fn();
    const { container } = render(<LogViewer filterType="task" live={false} selectedLine={3} onSelectLine={picked}
      service={new LogStreamingService({ baseUrl: 'http://x', fetch })} />);
    await waitFor(() => expect(container.querySelector('.stratal-picked')?.getAttribute('data-id')).toBe('3'));
    expect(screen.getAllByRole('button', { name: 'Metadata' })).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Metadata' }));
    expect(container.querySelector('.stratal-metadata')?.textContent).toBe(JSON.stringify({ status_code: 500, nested: { a: [1] } }, null, 2));
    const time = container.querySelector('.stratal-line[data-id="1"] a.stratal-time') as HTMLAnchorElement;
    expect(time.getAttribute('href')).toBe('#line=1');
    fireEvent.click(time);
    expect(picked).toHaveBeenCalledWith(1);
    expect(container.querySelector('.stratal-picked')?.getAttribute('data-id')).toBe('1');
  });

  it('shows times in UTC or in the local time zone', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
    try {
      expect(formatTime('2026-11-29T08:05:03.123456Z', 'utc')).toBe('2026-11-29 08:05:03.123');
      expect(formatTime('2026-11-29T08:05:03.123456Z', 'local')).toBe('2026-11-29 13:35:03.123');
      expect(formatTime(null, 'local')).toBe('—');
    } finally {
      process.env.TZ = zone;
    }
  });

  it('shows every log: the newest thousand from the stream, then new ones', async () => {
    const { fetch, requests } = scriptedFetch([sse(event(4990), event(5000))], {
      '/stream/status': json({ listening: true, channel: 'stratal_logs', last_id: 5000, clients: { sse: 0, ws: 0 }, notifications: 0,
        polls: 0, last_error: null }),
    });
    render(<LogViewer service={new LogStreamingService({ baseUrl: 'http://x', fetch })} />);
    await waitFor(() => expect(screen.getByTestId('line-count').textContent).toBe('2 lines'));
    expect(screen.getByRole('region', { name: 'All logs' })).toBeTruthy();
    expect(requests[0]?.url).toBe('http://x/api/v1/logs/stream/sse');
    expect(requests[0]?.headers['last-event-id']).toBe('4000');
  });

  it('says what went wrong', async () => {
    const { fetch } = scriptedFetch([json({ error: 'the database is unavailable' }, 503)]);
    render(<LogViewer taskRunId="t" live={false} service={new LogStreamingService({ baseUrl: 'http://x', fetch })} />);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('the database is unavailable'));
  });
});
