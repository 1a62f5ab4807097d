// @vitest-environment jsdom
import { LogStreamingService } from '@stratal/logs-client';
import { act, cleanup, configure, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LogViewer } from '../src/index.js';
import { formatTime } from '../src/LogViewer.js';
import { MAX_ROWS } from '../src/useLogWindow.js';
import { json, log, scriptedFetch } from '../../client/test/fakes.js';
import { fakeServer, row, rows } from './fakeServer.js';

beforeAll(() => {
  // a loaded machine (CI runs test files side by side on two cores) may take longer than the default second
  configure({ asyncUtilTimeout: 5000 });
  // jsdom lays nothing out: give the list a size so the virtualiser renders rows
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  // a line is one row high, everything else (the list) 400 pixels
  Element.prototype.getBoundingClientRect = function (this: Element) {
    const height = this.classList.contains('stratal-line') ? 20 : 400;
    return { width: 800, height, top: 0, left: 0, right: 800, bottom: height, x: 0, y: 0, toJSON() {} } as DOMRect;
  };
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 400 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 400 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 800 });
  Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 800 });
  // a scroller is as high as what it holds (the list's spacer)
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', { configurable: true, get(this: HTMLElement) {
    const inner = this.firstElementChild as HTMLElement | null;
    return inner ? Number.parseFloat(inner.style.height) || 0 : 0;
  } });
  // jsdom does not scroll: a scroll the viewer asks for moves scrollTop at once and tells the list a moment
  // later, as a browser does (its scroll event comes with the next frame, never inside the caller)
  Element.prototype.scrollTo = function (this: Element, options?: ScrollToOptions | number) {
    const top = typeof options === 'number' ? arguments[1] as number : options?.top;
    if (top !== undefined) {
      this.scrollTop = top;
      setTimeout(() => this.dispatchEvent(new Event('scroll')), 0);
    }
  } as Element['scrollTo'];
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ids = () => [...document.querySelectorAll('.stratal-line')].map((e) => Number(e.getAttribute('data-id')));
const count = (view: HTMLElement = document.body) => within(view).getByTestId('line-count').textContent;
const scroller = () => document.querySelector('.stratal-lines') as HTMLElement;
const spacerHeight = () => Number.parseFloat((document.querySelector('.stratal-spacer') as HTMLElement).style.height);
/** The first and last ids the window holds. */
const held = () => [Number(scroller().getAttribute('data-first-id')), Number(scroller().getAttribute('data-last-id'))] as const;

/** Scrolls the list to its bottom (or top), as a user dragging the scrollbar there. */
function scrollTo(where: 'bottom' | 'top'): void {
  const element = scroller();
  element.scrollTop = where === 'top' ? 0 : Math.max(0, spacerHeight() - 400);
  fireEvent.scroll(element);
}

describe('LogViewer', () => {
  it('opens a run at its first line, reads pages as it is scrolled, and holds a bounded window of a long one', async () => {
    const server = fakeServer(rows(1, 20_000));
    render(<LogViewer jobRunId="j" live={false} service={new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch })} />);
    await waitFor(() => expect(ids()[0]).toBe(1));
    await waitFor(() => expect(count()).toBe('20,000 lines'));
    expect(scroller().getAttribute('data-at-start')).toBe('true');
    expect(ids().length).toBeLessThan(200);
    expect(new URL(server.requests[0]!.url).searchParams.get('limit')).toBe('1000');

    for (let i = 0; i < 40 && scroller().getAttribute('data-at-end') !== 'true'; i++) {
      const before = held()[1];
      scrollTo('bottom');
      await waitFor(() => expect(held()[1]).toBeGreaterThan(before));
      expect(Number(scroller().getAttribute('data-rows'))).toBeLessThanOrEqual(MAX_ROWS);
      expect(ids().length).toBeLessThan(200);
    }
    expect(scroller().getAttribute('data-at-end')).toBe('true');
    scrollTo('bottom');
    await waitFor(() => expect(ids()).toContain(20_000));
    expect(scroller().getAttribute('data-at-start')).toBe('false'); // the first rows were let go
    expect(server.requests.some((r) => new URL(r.url).searchParams.get('order') === 'desc')).toBe(false);

    fireEvent.click(screen.getByRole('button', { name: 'First line' }));
    await waitFor(() => expect(ids()[0]).toBe(1));
    expect(scroller().getAttribute('data-at-start')).toBe('true');
    const before = server.requests.length;
    fireEvent.click(screen.getByRole('button', { name: 'Last line' }));
    await waitFor(() => expect(ids()).toContain(20_000));
    // read from the end backwards (the page above it may follow, as the view is near the window's top)
    expect(new URL(server.requests[before]!.url).searchParams.get('order')).toBe('desc');

    // scrolled back up from the end, the window reads the older rows it let go, by the cursor it holds
    for (let i = 0; i < 40 && scroller().getAttribute('data-at-start') !== 'true'; i++) {
      const before = held()[0];
      scrollTo('top');
      await waitFor(() => expect(held()[0]).toBeLessThan(before));
    }
    scrollTo('top');
    await waitFor(() => expect(ids()[0]).toBe(1));
  }, 60_000);

  it('opens a type at its newest line and follows new ones', async () => {
    const server = fakeServer(rows(1, 3000, { type: 'system', job_run_id: null, task_run_id: null, stream: 'system' }));
    render(<LogViewer filterType="system" service={new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch })} />);
    await waitFor(() => expect(scroller().getAttribute('data-rows')).toBe('1000'));
    expect(scroller().getAttribute('data-at-end')).toBe('true');
    scrollTo('bottom');
    await waitFor(() => expect(ids()).toContain(3000));
    expect(count()).toBe('3,000 lines');
    expect(new URL(server.requests[0]!.url).searchParams.get('order')).toBe('desc');
    await waitFor(() => expect(server.streams()).toBe(1));
    const stream = server.requests.find((r) => r.url.includes('/stream/sse'))!;
    expect(stream.headers['last-event-id']).toBe('3000');
    act(() => server.push(row(3001, { type: 'system', job_run_id: null, task_run_id: null, stream: 'system' })));
    await waitFor(() => expect(scroller().getAttribute('data-rows')).toBe('1001'));
    scrollTo('bottom');
    await waitFor(() => expect(ids()).toContain(3001));
  });

  it('opens a linked line with the lines around it, even in the middle of a long run', async () => {
    const server = fakeServer(rows(1, 50_000));
    const { container } = render(<LogViewer jobRunId="j" live={false} selectedLine={25_000}
      service={new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch })} />);
    await waitFor(() => expect(container.querySelector('.stratal-picked')?.getAttribute('data-id')).toBe('25000'));
    // the page from the line, and the page before it
    await waitFor(() => expect(Number(scroller().getAttribute('data-rows'))).toBeGreaterThanOrEqual(2000));
    const first = new URL(server.requests[0]!.url);
    expect(first.searchParams.get('from_id')).toBe('25000');
    const reads = server.requests.filter((r) => !r.url.includes('/summary'));
    expect(new URL(reads[1]!.url).searchParams.get('order')).toBe('desc');
    // scrolled to the top, it reads on above
    scrollTo('top');
    await waitFor(() => expect(held()[0]).toBeLessThan(24_001));
  });

  it('works the same under StrictMode: each stored and live row once', async () => {
    const server = fakeServer(rows(1, 3));
    render(<StrictMode><LogViewer jobRunId="j" service={new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch })} /></StrictMode>);
    await waitFor(() => expect(ids()).toEqual([1, 2, 3]));
    await waitFor(() => expect(server.streams()).toBe(1));
    act(() => server.push(row(4), row(5)));
    await waitFor(() => expect(ids()).toEqual([1, 2, 3, 4, 5]));
    act(() => server.push(row(6)));
    await waitFor(() => expect(ids()).toEqual([1, 2, 3, 4, 5, 6]));
    expect(count()).toBe('6 lines');
  });

  describe('follows each prop that changes after mount', () => {
    const runs = () => fakeServer([...rows(1, 5), ...rows(6, 8, { job_run_id: 'k', task_run_id: 'u' }),
      row(9, { type: 'system', job_run_id: null, task_run_id: null, stream: 'system', level: 'error' })]);

    it('jobRunId, taskRunId and filterType', async () => {
      const server = runs();
      const service = new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch });
      const { rerender } = render(<LogViewer jobRunId="j" live={false} service={service} />);
      await waitFor(() => expect(ids()).toEqual([1, 2, 3, 4, 5]));
      rerender(<LogViewer jobRunId="k" live={false} service={service} />);
      await waitFor(() => expect(ids()).toEqual([6, 7, 8]));
      expect(screen.getByRole('region', { name: 'Job run k' })).toBeTruthy();
      rerender(<LogViewer taskRunId="u" live={false} service={service} />);
      await waitFor(() => expect(screen.getByRole('region', { name: 'Task run u' })).toBeTruthy());
      await waitFor(() => expect(ids()).toEqual([6, 7, 8]));
      rerender(<LogViewer filterType="system" live={false} service={service} />);
      await waitFor(() => expect(ids()).toEqual([9]));
    });

    it('filters and selectedLine', async () => {
      const server = runs();
      const service = new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch });
      const { rerender, container } = render(<LogViewer jobRunId="j" live={false} service={service} />);
      await waitFor(() => expect(ids()).toEqual([1, 2, 3, 4, 5]));
      rerender(<LogViewer jobRunId="j" live={false} filters={{ q: 'line 4' }} service={service} />);
      await waitFor(() => expect(ids()).toEqual([4]));
      expect(new URL(server.requests[server.requests.length - 1]!.url).searchParams.get('q')).toBe('line 4');
      rerender(<LogViewer jobRunId="j" live={false} service={service} />);
      await waitFor(() => expect(ids()).toEqual([1, 2, 3, 4, 5]));
      rerender(<LogViewer jobRunId="j" live={false} selectedLine={2} service={service} />);
      await waitFor(() => expect(container.querySelector('.stratal-picked')?.getAttribute('data-id')).toBe('2'));
    });

    it('live', async () => {
      const server = runs();
      const service = new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch });
      const { rerender } = render(<LogViewer jobRunId="j" live={false} service={service} />);
      await waitFor(() => expect(ids()).toEqual([1, 2, 3, 4, 5]));
      expect(server.requests.some((r) => r.url.includes('/stream/'))).toBe(false);
      rerender(<LogViewer jobRunId="j" live service={service} />);
      await waitFor(() => expect(server.streams()).toBe(1));
      act(() => server.push(row(10)));
      await waitFor(() => expect(ids()).toContain(10));
      rerender(<LogViewer jobRunId="j" live={false} service={service} />);
      await waitFor(() => expect(server.streams()).toBe(0));
    });

    it('baseUrl and token', async () => {
      const server = runs();
      vi.stubGlobal('fetch', server.fetch);
      const { rerender } = render(<LogViewer jobRunId="j" live={false} baseUrl="http://x" token="first" />);
      await waitFor(() => expect(ids()).toEqual([1, 2, 3, 4, 5]));
      expect(server.requests[0]!.url.startsWith('http://x/')).toBe(true);
      expect(server.requests[0]!.headers.authorization).toBe('Bearer first');
      const before = server.requests.length;
      rerender(<LogViewer jobRunId="j" live={false} baseUrl="http://y" token="second" />);
      await waitFor(() => expect(server.requests.length).toBeGreaterThan(before));
      const after = server.requests.slice(before);
      expect(after.every((r) => r.url.startsWith('http://y/'))).toBe(true);
      expect(after.every((r) => r.headers.authorization === 'Bearer second')).toBe(true);
    });
  });

  it('lays itself out without its stylesheet', async () => {
    const server = fakeServer(rows(1, 3));
    render(<LogViewer jobRunId="j" live={false} service={new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch })} />);
    await waitFor(() => expect(ids()).toEqual([1, 2, 3]));
    expect(scroller().style.overflow).toBe('auto');
    expect(scroller().style.height).toBe('400px');
    const line = document.querySelector('.stratal-line') as HTMLElement;
    expect(line.style.position).toBe('absolute');
    expect(line.style.width).toBe('100%');
    expect(line.style.transform).toMatch(/^translateY\(/);
  });

  it('renders hostile text as text and ANSI colours as spans', async () => {
    const messages: Record<number, string> = {
      1: '<script>window.owned = true</script><img src=x onerror=alert(1)>',
      2: '\u001b[31mred\u001b[0m plain \u001b[1;32mbold green\u001b[0m',
    };
    const server = fakeServer([row(1, { message: messages[1]! }), row(2, { message: messages[2]! })]);
    const { container } = render(<LogViewer filterType="task" live={false} service={new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch })} />);
    await waitFor(() => expect(count()).toBe('2 lines'));
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain('<script>window.owned = true</script>');
    expect(container.querySelector('.ansi-red-fg')?.textContent).toBe('red');
    expect(container.querySelector('.ansi-green-fg.ansi-bold')?.textContent).toBe('bold green');
    expect(container.textContent).not.toContain('\u001b');
    expect((globalThis as { owned?: boolean }).owned).toBeUndefined();
  });

  it('shows two viewers on one page, each with its own rows', async () => {
    const system = fakeServer(rows(10, 11, { type: 'system', job_run_id: null, task_run_id: null, stream: 'system' }));
    const job = fakeServer([row(20, { job_run_id: 'job-123' })]);
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
    await waitFor(() => expect(count(systemView)).toBe('2 lines'));
    await waitFor(() => expect(count(jobView)).toBe('1 line'));
    expect(systemView.textContent).toContain('line 11');
    expect(systemView.textContent).not.toContain('line 20');
    expect(jobView.textContent).toContain('line 20');
    expect(system.requests[0]?.url).toBe('http://x/api/v1/logs/system?limit=1000&order=desc');
  });

  it('sends the filters to the server, highlights the search and steps through its matches', async () => {
    const server = fakeServer([row(1, { message: 'Disk 1 ok' }), row(2, { message: 'Disk 2 TIMEOUT, then timeout again' }),
      row(3, { message: 'Disk 3 TIMEOUT', level: 'error' })]);
    const { container } = render(<LogViewer jobRunId="j" live={false} service={new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch })} />);
    await waitFor(() => expect(count()).toBe('3 lines'));

    fireEvent.change(screen.getByRole('searchbox', { name: 'Search' }), { target: { value: 'timeout' } });
    await waitFor(() => expect(count()).toBe('2 lines'));
    expect(new URL(server.requests[server.requests.length - 1]!.url).searchParams.get('q')).toBe('timeout');
    expect([...container.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['TIMEOUT', 'timeout', 'TIMEOUT']);
    expect(screen.getByTestId('match-position').textContent).toBe('1 of 2');
    fireEvent.click(screen.getByRole('button', { name: 'Next match' }));
    expect(container.querySelector('.stratal-current')?.getAttribute('data-id')).toBe('3');

    fireEvent.click(screen.getByRole('checkbox', { name: 'error' }));
    await waitFor(() => expect(count()).toBe('1 line'));
    expect(Object.fromEntries(new URL(server.requests[server.requests.length - 1]!.url).searchParams)).toMatchObject({ level: 'error', q: 'timeout' });
  });

  it('steps through the matches of a long search past the lines it holds, and round from the last to the first', async () => {
    const server = fakeServer(rows(1, 3000));
    const { container } = render(<LogViewer jobRunId="j" live={false} filters={{ q: 'line' }}
      service={new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch })} />);
    const current = () => container.querySelector('.stratal-current')?.getAttribute('data-id');
    await waitFor(() => expect(screen.getByTestId('match-position').textContent).toBe('1 of 1,000+'));
    expect(current()).toBe('1');
    fireEvent.click(screen.getByRole('button', { name: 'Next match' }));
    expect(current()).toBe('2');
    // before the first match: round to the last, which the view opens at
    fireEvent.click(screen.getByRole('button', { name: 'Previous match' }));
    fireEvent.click(screen.getByRole('button', { name: 'Previous match' }));
    await waitFor(() => expect(current()).toBe('3000'));
    expect(scroller().getAttribute('data-at-end')).toBe('true');
    // the current match stays the same line as the window reads older pages around it
    fireEvent.click(screen.getByRole('button', { name: 'Previous match' }));
    await waitFor(() => expect(current()).toBe('2999')); // at once, or when a page being read is in
    scrollTo('top');
    await waitFor(() => expect(held()[0]).toBeLessThan(2001));
    fireEvent.click(screen.getByRole('button', { name: 'Next match' }));
    await waitFor(() => expect(current()).toBe('3000'));
    // past the last: round to the first
    fireEvent.click(screen.getByRole('button', { name: 'Next match' }));
    await waitFor(() => expect(current()).toBe('1'));
    expect(scroller().getAttribute('data-at-start')).toBe('true');
  });

  it("lists a job run's tasks by name with their counts and an error mark, and folds a task's lines away", async () => {
    const summary = json({ job_run_id: 'j', first: null, last: null, counts: { debug: 0, info: 3, warn: 0, error: 1 }, tasks: [
      { task_run_id: 't0000000-1', task_name: 'fetch-orders', first: null, last: null, counts: { debug: 0, info: 2, warn: 0, error: 1 },
        streams: { stdout: 3 } },
      { task_run_id: 't0000000-2', task_name: null, first: null, last: null, counts: { debug: 0, info: 1, warn: 0, error: 0 }, streams: { stdout: 1 } },
    ] });
    const lines = [1, 2, 3, 4].map((id) => ({ ...JSON.parse(log(id)), task_run_id: id === 4 ? 't0000000-2' : 't0000000-1' }));
    const { fetch } = scriptedFetch([json({ logs: lines, limit: 1000, offset: 0, has_more: false, next_cursor: null, prev_cursor: null })],
      { '/summary': summary });
    render(<LogViewer jobRunId="j" live={false} service={new LogStreamingService({ baseUrl: 'http://x', fetch })} />);
    const tasks = await screen.findByRole('list', { name: 'Tasks' });
    const items = within(tasks).getAllByRole('listitem');
    // a task with a name in task_runs is shown by it, one without by its id's start
    expect(items.map((item) => item.textContent)).toEqual(['▾✖fetch-orders3 lines, 1 error', '▾✓t00000001 line']);
    await waitFor(() => expect(document.querySelector('.stratal-line[data-id="1"] .stratal-task')?.textContent).toBe('fetch-orders'));
    expect(document.querySelector('.stratal-line[data-id="4"] .stratal-task')?.textContent).toBe('t0000000');
    fireEvent.click(within(tasks).getByRole('button', { name: 'Fold task fetch-orders' }));
    await waitFor(() => expect(count()).toBe('4 lines, 1 shown'));
    expect(ids()).toEqual([4]);
    fireEvent.click(within(tasks).getByRole('button', { name: 'Unfold task fetch-orders' }));
    await waitFor(() => expect(count()).toBe('4 lines'));
    // a task without a name is named by its whole id where it cannot be seen
    expect(within(tasks).getByRole('button', { name: 'Fold task t0000000-2' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('expands metadata as JSON, marks a line given from outside and reports a line the user picks', async () => {
    const server = fakeServer([row(1), row(2, { metadata: { status_code: 500, nested: { a: [1] } } }), row(3)]);
    const picked = vi.fn();
    const { container } = render(<LogViewer filterType="task" live={false} selectedLine={3} onSelectLine={picked}
      service={new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch })} />);
    await waitFor(() => expect(container.querySelector('.stratal-picked')?.getAttribute('data-id')).toBe('3'));
    await waitFor(() => expect(ids()).toEqual([1, 2, 3]));
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
    const server = fakeServer(rows(1, 5000));
    render(<LogViewer service={new LogStreamingService({ baseUrl: 'http://x', fetch: server.fetch })} />);
    await waitFor(() => expect(scroller().getAttribute('data-rows')).toBe('1000'));
    scrollTo('bottom');
    await waitFor(() => expect(ids()).toContain(5000));
    expect(screen.getByRole('region', { name: 'All logs' })).toBeTruthy();
    const stream = server.requests.find((r) => r.url.includes('/stream/sse'))!;
    expect(stream.url).toBe('http://x/api/v1/logs/stream/sse');
    expect(stream.headers['last-event-id']).toBe('4000');
    await waitFor(() => expect(count()).toBe('5,000 lines'));
  });

  it('says what went wrong', async () => {
    const { fetch } = scriptedFetch([json({ error: 'the database is unavailable' }, 503)]);
    render(<LogViewer taskRunId="t" live={false} service={new LogStreamingService({ baseUrl: 'http://x', fetch })} />);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('the database is unavailable'));
  });
});
