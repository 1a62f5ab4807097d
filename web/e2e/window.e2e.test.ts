import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserReady, CHROMIUM } from './browser.js';
import { createDatabase, freePort, startServe, type Serve, type TestDatabase } from '../packages/client/test/serve.js';

/**
 * The viewer `serve` serves, on a run of a million lines and a system view of a million rows, in Debian's
 * headless Chromium: it opens on the rows wanted first, scrolls end to end with a bounded page and heap,
 * opens a link into the middle, and follows a system view that takes a thousand lines a second. The times
 * are printed as a benchmark (issue 18's targets: first lines under 1 s, the end of the run under 2 s); the
 * tests hold only what does not depend on the machine's speed: which rows show, fewer than 200 rows in the
 * page, the heap under 150 MB.
 */
const TOKEN = 'window-token';
const ROWS = Number(process.env.STRATAL_WINDOW_ROWS ?? 1_000_000);
const HEAP_LIMIT = 150 * 1024 * 1024;

const figures: string[] = [];
const note = (line: string) => figures.push(line);

describe.skipIf(!browserReady('STRATAL_REQUIRE_SERVER'))(`the viewer on ${ROWS.toLocaleString('en')} lines`, () => {
  let db: TestDatabase;
  let serve: Serve;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let job: string;
  let firstJobLine: number;
  let lastJobLine: number;
  let maxHeap = 0;
  let maxDomRows = 0;

  const lines = () => page.locator('.stratal-line');
  const scroller = () => page.locator('.stratal-lines');
  const attr = async (name: string) => Number(await scroller().getAttribute(name));

  async function sample(): Promise<void> {
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    maxHeap = Math.max(maxHeap, usedSize);
    maxDomRows = Math.max(maxDomRows, await lines().count());
  }

  let visits = 0;

  /** Loads the page afresh (a new address each time: a change of the hash alone would not) and measures until a row with id `id` is on screen. */
  async function openAndTime(address: string, id: number): Promise<number> {
    const [search, hash] = address.split('#');
    const started = Date.now();
    await page.goto(`${serve.baseUrl}/${search}&visit=${++visits}#${hash}`);
    await page.locator(`.stratal-line[data-id="${id}"]`).waitFor({ timeout: 30_000 });
    return Date.now() - started;
  }

  /** Scrolls to one end again and again until the window holds that end of the selection. */
  async function scrollThrough(towards: 'end' | 'start'): Promise<{ pages: number; ms: number }> {
    const started = Date.now();
    let pages = 0;
    const done = towards === 'end' ? 'data-at-end' : 'data-at-start';
    const edge = towards === 'end' ? 'data-last-id' : 'data-first-id';
    const scrollThere = () => scroller().evaluate((element, to) => {
      element.scrollTop = to === 'end' ? element.scrollHeight : 0;
    }, towards);
    while ((await scroller().getAttribute(done)) !== 'true') {
      const before = await attr(edge);
      await scrollThere();
      await expect.poll(async () => (await attr(edge)) !== before || (await scroller().getAttribute(done)) === 'true',
        { timeout: 30_000, interval: 20 }).toBe(true);
      pages++;
      if (pages % 25 === 0) await sample();
    }
    await scrollThere(); // the last page read is below (or above) what was on screen: go there
    await sample();
    return { pages, ms: Date.now() - started };
  }

  beforeAll(async () => {
    db = await createDatabase('stratal_window_e2e');
    job = (await db.client.query("INSERT INTO job_runs (job_name) VALUES ('huge') RETURNING id")).rows[0].id;
    const task = (await db.client.query('INSERT INTO task_runs (job_run_id, task_name) VALUES ($1, $2) RETURNING id',
      [job, 'crunch'])).rows[0].id;
    const started = Date.now();
    await db.client.query(`INSERT INTO logs (type, job_run_id, task_run_id, timestamp, level, stream, message)
      SELECT 'task', $1, $2, timestamp '2026-11-01' + n * interval '1 millisecond', CASE WHEN n % 97 = 0 THEN 'error' ELSE 'info' END,
        'stdout', 'run line ' || n FROM generate_series(1, $3::int) n`, [job, task, ROWS]);
    await db.client.query(`INSERT INTO logs (type, timestamp, level, stream, message)
      SELECT 'system', timestamp '2026-11-02' + n * interval '1 millisecond', 'info', 'system', 'system line ' || n
      FROM generate_series(1, $1::int) n`, [ROWS]);
    // as autovacuum leaves a table that has been written for a while: hint bits set, visibility map and statistics current
    await db.client.query('VACUUM ANALYZE logs');
    note(`fixture: ${(2 * ROWS).toLocaleString('en')} rows inserted in ${Date.now() - started} ms`);
    const range = (await db.client.query('SELECT min(id) AS first, max(id) AS last FROM logs WHERE job_run_id = $1', [job])).rows[0];
    firstJobLine = Number(range.first);
    lastJobLine = Number(range.last);
    serve = await startServe(db.jdbcUrl, await freePort(), TOKEN);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    cdp = await page.context().newCDPSession(page);
    // the token once, as the viewer's own address carries it; the viewer keeps it for the session
    await page.goto(`${serve.baseUrl}/#token=${TOKEN}`);
  }, 600_000);

  afterAll(async () => {
    // eslint-disable-next-line no-console -- the benchmark's figures
    console.log(['', `window benchmark (${ROWS.toLocaleString('en')} lines a view, Chromium):`, ...figures.map((f) => `  ${f}`)].join('\n'));
    await browser?.close();
    await serve?.stop();
    await db?.drop();
  });

  it('opens a run at its first line and jumps to its last, with the count from the server', { timeout: 120_000 }, async () => {
    const cold = await openAndTime(`?job_run_id=${job}#token=${TOKEN}`, firstJobLine);
    const first = await openAndTime(`?job_run_id=${job}#token=${TOKEN}`, firstJobLine);
    note(`run: first lines on screen ${first} ms (target under 1,000); ${cold} ms the first time (the server's JVM and the`
      + ' database cold after the fixture)');
    await expect.poll(() => page.getByTestId('line-count').textContent(), { timeout: 30_000 }).toBe(`${ROWS.toLocaleString('en')} lines`);
    await sample();
    const started = Date.now();
    await page.getByRole('button', { name: 'Last line' }).click();
    await page.locator(`.stratal-line[data-id="${lastJobLine}"]`).waitFor({ timeout: 30_000 });
    note(`run: end of the run on screen ${Date.now() - started} ms after "Last line" (target under 2,000)`);
    await sample();
    expect(maxDomRows).toBeLessThan(200);
  });

  it('scrolls the run from its first line to its last with a bounded page and heap', async () => {
    await openAndTime(`?job_run_id=${job}#token=${TOKEN}`, firstJobLine);
    const through = await scrollThrough('end');
    note(`run: scrolled end to end in ${through.ms} ms, ${through.pages} pages read`);
    await page.locator(`.stratal-line[data-id="${lastJobLine}"]`).waitFor({ timeout: 30_000 });
    expect(await attr('data-rows')).toBeLessThanOrEqual(5000);
    note(`run: at most ${maxDomRows} rows in the page, JS heap at most ${(maxHeap / 1048576).toFixed(1)} MB`);
    expect(maxDomRows).toBeLessThan(200);
    expect(maxHeap).toBeLessThan(HEAP_LIMIT);
  }, 900_000);

  it('opens a link into the middle of the run with the lines around it', { timeout: 120_000 }, async () => {
    const middle = firstJobLine + Math.floor(ROWS / 2);
    const ms = await openAndTime(`?job_run_id=${job}#token=${TOKEN}&line=${middle}`, middle);
    note(`run: a #line= link into the middle on screen in ${ms} ms`);
    await expect.poll(() => page.locator('.stratal-picked').getAttribute('data-id'), { timeout: 30_000 }).toBe(String(middle));
    await expect.poll(() => attr('data-first-id'), { timeout: 30_000 }).toBeLessThan(middle);
    expect(await attr('data-rows')).toBeLessThanOrEqual(5000);
  });

  it('opens the system view at its newest line and scrolls back to its first with a bounded page and heap', async () => {
    maxHeap = 0;
    maxDomRows = 0;
    const last = Number((await db.client.query("SELECT max(id) AS id FROM logs WHERE type = 'system'")).rows[0].id);
    const first = await openAndTime(`?view=system#token=${TOKEN}`, last);
    note(`system: newest lines on screen ${first} ms (target under 1,000)`);
    const through = await scrollThrough('start');
    note(`system: scrolled back to the first line in ${through.ms} ms, ${through.pages} pages read; at most ${maxDomRows} rows in the`
      + ` page, JS heap at most ${(maxHeap / 1048576).toFixed(1)} MB`);
    expect(maxDomRows).toBeLessThan(200);
    expect(maxHeap).toBeLessThan(HEAP_LIMIT);
  }, 900_000);

  it('follows the system view while a thousand lines a second arrive, each once', async () => {
    await openAndTime(`?view=system#token=${TOKEN}`, Number((await db.client.query("SELECT max(id) AS id FROM logs WHERE type = 'system'")).rows[0].id));
    await expect.poll(() => page.locator('.stratal-live-on').count(), { timeout: 30_000 }).toBe(1);
    const seconds = 5;
    const started = Date.now();
    let sent = 0;
    for (let tick = 0; tick < seconds * 10; tick++) {
      await db.client.query(`INSERT INTO logs (type, timestamp, level, stream, message)
        SELECT 'system', clock_timestamp(), 'info', 'system', 'live ' || n FROM generate_series($1::int, $2::int) n`, [sent + 1, sent + 100]);
      await db.client.query("SELECT pg_notify('stratal_logs', 'logs')");
      sent += 100;
      const wait = started + (tick + 1) * 100 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const newest = Number((await db.client.query("SELECT max(id) AS id FROM logs WHERE type = 'system'")).rows[0].id);
    const caughtUp = Date.now();
    await page.locator(`.stratal-line[data-id="${newest}"]`).waitFor({ timeout: 30_000 });
    note(`system: ${sent} live lines at 1,000/s; the last on screen ${Date.now() - caughtUp} ms after it was written`);
    const shown = await lines().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')));
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown.length).toBeLessThan(200);
    await sample();
    expect(maxHeap).toBeLessThan(HEAP_LIMIT);
  }, 120_000);
});
