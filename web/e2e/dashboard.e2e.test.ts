import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserReady, CHROMIUM } from './browser.js';
import { createDatabase, freePort, startServe, type Serve, type TestDatabase } from '../packages/client/test/serve.js';
import { serveStatic } from './static.js';

/**
 * The seed's SystemDashboard (apps/dashboard, built by Vite) in Debian's headless Chromium, driven by
 * playwright-core (no browser download), reading a real `serve` on a real PostgreSQL from another origin.
 */
const TOKEN = 'e2e-token';
const SCREENSHOTS = fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
const APP = fileURLToPath(new URL('../apps/dashboard/dist/', import.meta.url));

describe.skipIf(!browserReady('STRATAL_REQUIRE_SERVER', [APP], `a built ${APP} (npm run build -w apps/dashboard)`))('the dashboard in Chromium', () => {
  let db: TestDatabase;
  let serve: Serve;
  let app: Server;
  let appUrl: string;
  let browser: Browser;
  let page: Page;
  let job: string;

  async function insert(jobRunId: string | null, message: string, level = 'info'): Promise<void> {
    await db.client.query(
      `INSERT INTO logs (type, job_run_id, timestamp, level, stream, message) VALUES ($1, $2, clock_timestamp(), $3, 'system', $4)`,
      [jobRunId ? 'job' : 'system', jobRunId, level, message]);
  }

  const jobView = () => page.getByRole('region', { name: `Job run ${job}` });
  const systemView = () => page.getByRole('region', { name: 'System logs' });

  beforeAll(async () => {
    db = await createDatabase('stratal_dashboard_e2e');
    job = (await db.client.query("INSERT INTO job_runs (job_name) VALUES ('nightly') RETURNING id")).rows[0].id;
    await insert(null, 'Database connection established');
    await insert(job, 'Job started');
    await insert(job, '<script>window.owned = true</script><img src=x onerror="window.owned = true">');
    await insert(job, '\u001b[31mred\u001b[0m and plain', 'error');
    await insert(job, `a megabyte: ${'<b>x</b> '.repeat(116_000)}end`); // about 1 MB, markup inside
    const appPort = await freePort();
    app = await serveStatic(APP, appPort);
    const apiPort = await freePort();
    serve = await startServe(db.jdbcUrl, apiPort, TOKEN, ['--allowed-origins', `http://127.0.0.1:${appPort}`]);
    appUrl = `http://127.0.0.1:${appPort}/?server=${encodeURIComponent(serve.baseUrl)}&token=${TOKEN}&job_run_id=${job}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 1300 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(appUrl);
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await new Promise((resolve) => app?.close(resolve));
    await db?.drop();
  });

  it('shows the system logs in one viewer and the job run in the other', async () => {
    await expect.poll(() => systemView().getByTestId('line-count').textContent()).toBe('1 line');
    await expect.poll(() => jobView().getByTestId('line-count').textContent()).toBe('4 lines');
    expect(await systemView().textContent()).toContain('Database connection established');
    expect(await systemView().textContent()).not.toContain('Job started');
    expect(await jobView().textContent()).toContain('Job started');
    await expect.poll(() => jobView().locator('.stratal-live-on').count()).toBe(1);
    await page.screenshot({ path: `${SCREENSHOTS}dashboard.png`, fullPage: true });
  });

  it('follows the system colour scheme', async () => {
    const background = () => jobView().evaluate((e) => getComputedStyle(e).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).toBe('rgb(13, 17, 23)');
    await page.screenshot({ path: `${SCREENSHOTS}dashboard-dark.png` });
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await background()).toBe('rgb(255, 255, 255)');
  });

  it('renders hostile text as text and ANSI colours as colours', async () => {
    expect(await jobView().textContent()).toContain('<script>window.owned = true</script>');
    expect(await page.evaluate(() => (window as { owned?: boolean }).owned)).toBeUndefined();
    expect(await jobView().locator('img').count()).toBe(0);
    const red = jobView().locator('.ansi-red-fg');
    expect(await red.textContent()).toBe('red');
    expect(await red.evaluate((e) => getComputedStyle(e).color)).toBe('rgb(207, 34, 46)');
    expect(await jobView().textContent()).not.toContain('\u001b');
    const megabyte = jobView().locator('.stratal-line', { hasText: 'a megabyte' });
    expect(await megabyte.locator('b').count()).toBe(0);
    expect(await megabyte.evaluate((e) => e.textContent!.length)).toBeGreaterThan(1_000_000);
    expect(await megabyte.evaluate((e) => e.textContent!.endsWith('end'))).toBe(true);
  });

  it('opens at a linked line, and downloads the view', async () => {
    const started = (await db.client.query("SELECT id FROM logs WHERE message = 'Job started'")).rows[0].id as string;
    const linked = await browser.newPage({ viewport: { width: 1200, height: 1300 } });
    try {
      await linked.goto(`${appUrl}#line=${started}`);
      const view = linked.getByRole('region', { name: `Job run ${job}` });
      await expect.poll(() => view.locator('.stratal-picked').getAttribute('data-id')).toBe(String(started));
      await view.locator('.stratal-line', { hasText: 'and plain' }).locator('a.stratal-time').click();
      await expect.poll(() => linked.evaluate(() => location.hash)).toMatch(/^#line=\d+$/);

      const [file] = await Promise.all([linked.waitForEvent('download'), view.getByRole('button', { name: 'Download NDJSON' }).click()]);
      expect(file.suggestedFilename()).toBe(`job-run-${job}.ndjson`);
      const lines = readFileSync((await file.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { message: string });
      expect(lines.map((l) => l.message)).toContain('Job started');
      expect(lines).toHaveLength(Number((await view.getByTestId('line-count').textContent())!.split(' ')[0]));
    } finally {
      await linked.close();
    }
  });

  it('scrolls a run of 100,000 lines with a bounded number of rows in the page', async () => {
    const big = (await db.client.query("INSERT INTO job_runs (job_name) VALUES ('big') RETURNING id")).rows[0].id as string;
    await db.client.query(`INSERT INTO logs (type, job_run_id, timestamp, level, stream, message)
      SELECT 'job', $1, timestamp '2026-11-29 00:00' + g * interval '1 ms', 'info', 'system', 'line ' || g
      FROM generate_series(1, 100000) g`, [big]);
    const bigPage = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    try {
      await bigPage.goto(appUrl.replace(`job_run_id=${job}`, `job_run_id=${big}`));
      const view = bigPage.getByRole('region', { name: `Job run ${big}` });
      await expect.poll(() => view.getByTestId('line-count').textContent(), { timeout: 60_000, interval: 500 }).toBe('100,000 lines');
      const lines = view.getByRole('log');
      const heap = async () => (await bigPage.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } })
        .memory?.usedJSHeapSize ?? 0));
      const rendered: number[] = [];
      const before = await heap();
      for (const fraction of [0, 0.25, 0.5, 0.75, 1, 0.5, 0]) {
        await lines.evaluate((e, f) => e.scrollTo(0, f * (e.scrollHeight - e.clientHeight)), fraction);
        await bigPage.waitForTimeout(100);
        rendered.push(await view.locator('.stratal-line').count());
      }
      await expect.poll(() => view.locator('.stratal-line', { hasText: /^.*line 1$/ }).count()).toBe(1);
      expect(Math.max(...rendered)).toBeLessThan(200); // of 100,000: the list is virtualised
      const after = await heap();
      expect(after - before).toBeLessThan(50 * 1024 * 1024); // scrolling adds no row objects
      await bigPage.screenshot({ path: `${SCREENSHOTS}hundred-thousand-lines.png` });
    } finally {
      await bigPage.close();
    }
  }, 90_000);

  it('brings live lines and follows them, until the user scrolls up', async () => {
    for (let i = 1; i <= 60; i++) {
      await insert(job, `step ${i}`);
    }
    await expect.poll(() => jobView().getByTestId('line-count').textContent(), { timeout: 15_000 }).toBe('64 lines');
    const lines = jobView().getByRole('log');
    await expect.poll(() => lines.evaluate((e) => e.scrollTop + e.clientHeight >= e.scrollHeight - 20)).toBe(true);
    await expect.poll(() => jobView().locator('.stratal-line', { hasText: 'step 60' }).count()).toBe(1);

    await lines.evaluate((e) => e.scrollTo(0, 0));
    await lines.dispatchEvent('scroll');
    for (let i = 61; i <= 65; i++) {
      await insert(job, `step ${i}`);
    }
    const button = jobView().getByRole('button', { name: '5 new lines' });
    await expect.poll(() => button.count(), { timeout: 15_000 }).toBe(1);
    expect(await lines.evaluate((e) => e.scrollTop)).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}new-lines.png` });

    await button.click();
    await expect.poll(() => jobView().locator('.stratal-line', { hasText: 'step 65' }).count()).toBe(1);
    await expect.poll(() => button.count()).toBe(0);
  });
  it('filters on the server and highlights the search', async () => {
    await jobView().getByRole('searchbox', { name: 'Search' }).fill('RED');
    await expect.poll(() => jobView().getByTestId('line-count').textContent()).toBe('1 line');
    expect(await jobView().locator('mark').allTextContents()).toEqual(['red']);
    expect(await jobView().locator('.ansi-red-fg mark').count()).toBe(1);
    await jobView().getByRole('searchbox', { name: 'Search' }).fill('');
    await jobView().getByRole('checkbox', { name: 'error' }).check();
    await expect.poll(() => jobView().getByTestId('line-count').textContent()).toBe('1 line');
    await page.screenshot({ path: `${SCREENSHOTS}filtered.png` });
  });
});
