import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserReady, CHROMIUM } from './browser.js';
import { createDatabase, freePort, startServe, type Serve, type TestDatabase } from '../packages/client/test/serve.js';

/**
 * The viewer `serve` itself serves at `/` (the committed build of apps/viewer, inside the CLI jar), in
 * Debian's headless Chromium: the run picker, a job run with its tasks, a task run; screenshots of each.
 */
const TOKEN = 'viewer-e2e';
const SCREENSHOTS = fileURLToPath(new URL('../../target/screenshots/', import.meta.url));

describe.skipIf(!browserReady('STRATAL_REQUIRE_SERVER'))('the served viewer in Chromium', () => {
  let db: TestDatabase;
  let serve: Serve;
  let browser: Browser;
  let page: Page;
  let job: string;
  let failing: string;

  async function insert(taskRunId: string | null, message: string, level = 'info', stream = 'stdout'): Promise<void> {
    await db.client.query(
      `INSERT INTO logs (type, job_run_id, task_run_id, timestamp, level, stream, message) VALUES ($1, $2, $3, clock_timestamp(), $4, $5, $6)`,
      [taskRunId ? 'task' : 'job', job, taskRunId, level, taskRunId ? stream : 'system', message]);
  }

  beforeAll(async () => {
    db = await createDatabase('stratal_viewer_e2e');
    job = (await db.client.query("INSERT INTO job_runs (job_name) VALUES ('nightly import') RETURNING id")).rows[0].id;
    const ok = (await db.client.query("INSERT INTO task_runs (job_run_id, task_name) VALUES ($1, 'download') RETURNING id", [job])).rows[0].id;
    failing = (await db.client.query("INSERT INTO task_runs (job_run_id, task_name) VALUES ($1, 'load') RETURNING id", [job])).rows[0].id;
    await insert(null, 'Job started');
    await insert(ok, 'downloaded 3 files');
    await insert(failing, 'loading table orders');
    await insert(failing, 'ERROR: duplicate key value violates unique constraint', 'error', 'stderr');
    await insert(null, 'Job failed', 'error');
    serve = await startServe(db.jdbcUrl, await freePort(), TOKEN);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await db?.drop();
  });

  it('picks a run from the list, then shows its tasks, lines and errors', async () => {
    await page.goto(`${serve.baseUrl}/#token=${TOKEN}`);
    const runs = page.getByRole('region', { name: 'Job runs' });
    await expect.poll(() => runs.locator('tbody tr').count()).toBe(1);
    expect(await runs.locator('tbody tr').textContent()).toContain('✖ 2');
    expect(page.url()).not.toContain(TOKEN);
    await page.screenshot({ path: `${SCREENSHOTS}viewer-runs.png` });

    await runs.getByRole('link', { name: job }).click();
    const view = page.getByRole('region', { name: `Job run ${job}` });
    await expect.poll(() => view.getByTestId('line-count').textContent()).toBe('5 lines');
    const tasks = view.getByRole('list', { name: 'Tasks' });
    await expect.poll(() => tasks.getByRole('listitem').count()).toBe(2);
    expect(await tasks.locator('.stratal-task-failed').textContent()).toContain('1 error');
    expect(await view.locator('.stratal-line[data-level=error]').count()).toBe(2);
    await page.screenshot({ path: `${SCREENSHOTS}viewer-job-run.png` });

    await tasks.getByRole('button', { name: 'Fold task load' }).click();
    await expect.poll(() => view.getByTestId('line-count').textContent()).toBe('5 lines, 3 shown');
  });

  it('opens a task run and the system view from their addresses', async () => {
    await page.goto(`${serve.baseUrl}/?task_run_id=${failing}`);
    const view = page.getByRole('region', { name: `Task run ${failing}` });
    await expect.poll(() => view.getByTestId('line-count').textContent()).toBe('2 lines');
    await page.screenshot({ path: `${SCREENSHOTS}viewer-task-run.png` });
    await page.getByRole('link', { name: 'All logs' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'All logs' }).getByTestId('line-count').textContent()).toBe('5 lines');
    await page.getByRole('link', { name: 'System logs' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'System logs' }).getByTestId('line-count').textContent()).toBe('0 lines');
  });
});
