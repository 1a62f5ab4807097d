import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserReady, CHROMIUM } from './browser.js';
import { createDatabase, freePort, startServe, type Serve, type TestDatabase } from '../packages/client/test/serve.js';
import { serveStatic } from './static.js';

/**
 * An application built outside the workspace from the packed npm tarballs (consumers/vite-app, built by
 * .ci/run into STRATAL_CONSUMER_APP), in Chromium against a real `serve`: what a team that installs the
 * packages gets. The page renders under React's StrictMode.
 */
const APP = process.env.STRATAL_CONSUMER_APP;
const TOKEN = 'consumer-token';

describe.skipIf(!browserReady('STRATAL_REQUIRE_CONSUMER', [APP], `the built consumer app in STRATAL_CONSUMER_APP (${APP})`))('an application built from the packed packages', () => {
  let db: TestDatabase;
  let serve: Serve;
  let app: Server;
  let browser: Browser;
  let page: Page;
  let job: string;

  beforeAll(async () => {
    db = await createDatabase('stratal_consumer_e2e');
    job = (await db.client.query("INSERT INTO job_runs (job_name) VALUES ('packed') RETURNING id")).rows[0].id;
    await db.client.query(`INSERT INTO logs (type, job_run_id, timestamp, level, stream, message)
      SELECT 'job', $1, timestamp '2026-12-01' + n * interval '1 second', 'info', 'system', 'packed line ' || n
      FROM generate_series(1, 30) n`, [job]);
    await db.client.query("INSERT INTO logs (type, level, stream, message) VALUES ('system', 'warn', 'system', 'disk almost full')");
    const appPort = await freePort();
    app = await serveStatic(APP!, appPort);
    serve = await startServe(db.jdbcUrl, await freePort(), TOKEN, ['--allowed-origins', `http://127.0.0.1:${appPort}`]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    await page.goto(`http://127.0.0.1:${appPort}/?server=${encodeURIComponent(serve.baseUrl)}&token=${TOKEN}&job_run_id=${job}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await new Promise((resolve) => app?.close(resolve));
    await db?.drop();
  });

  it('shows both viewers with their rows, each once, under StrictMode', async () => {
    const jobView = page.getByRole('region', { name: `Job run ${job}` });
    const systemView = page.getByRole('region', { name: 'System logs' });
    await expect.poll(() => jobView.getByTestId('line-count').textContent()).toBe('30 lines');
    await expect.poll(() => systemView.getByTestId('line-count').textContent()).toBe('1 line');
    expect(await systemView.textContent()).toContain('disk almost full');
    await jobView.locator('.stratal-lines').evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    await expect.poll(() => jobView.locator('.stratal-line', { hasText: 'packed line 30' }).count()).toBe(1);
    const ids = await jobView.locator('.stratal-line').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')));
    expect(new Set(ids).size).toBe(ids.length);
    // laid out by the component: each line one row high, one under the other
    const tops = await jobView.locator('.stratal-line').evaluateAll((rows) => rows.slice(0, 3).map((row) => row.getBoundingClientRect().top));
    expect(tops[1]! - tops[0]!).toBe(20);
  });

  it('takes live rows into the system view under StrictMode, each once', async () => {
    const systemView = page.getByRole('region', { name: 'System logs' });
    await expect.poll(() => systemView.locator('.stratal-live-on').count(), { timeout: 30_000 }).toBe(1);
    for (let batch = 0; batch < 4; batch++) {
      await db.client.query(`INSERT INTO logs (type, level, stream, message)
        SELECT 'system', 'info', 'system', 'live ' || n FROM generate_series($1::int, $2::int) n`, [batch * 10 + 1, batch * 10 + 10]);
      await db.client.query("SELECT pg_notify('stratal_logs', 'logs')");
    }
    const scroller = systemView.locator('.stratal-lines');
    await expect.poll(() => scroller.getAttribute('data-rows'), { timeout: 30_000 }).toBe('41');
    await expect.poll(() => systemView.locator('.stratal-line', { hasText: 'live 40' }).count()).toBe(1);
    const ids = await systemView.locator('.stratal-line').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
