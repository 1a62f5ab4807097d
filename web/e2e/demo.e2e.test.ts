import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The README's demo (embedded PostgreSQL, the sample job, the server and viewer), run from the build's
 * classes and runtime class path (`STRATAL_DEMO_CLASSPATH_FILE`, written by `mvn dependency:build-classpath`),
 * and its sample job run opened in Debian's headless Chromium.
 */
const CHROMIUM = process.env.STRATAL_CHROMIUM ?? '/usr/bin/chromium';
const CLASSPATH_FILE = process.env.STRATAL_DEMO_CLASSPATH_FILE;
const CLASSES = fileURLToPath(new URL('../../target/classes', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('../../target/screenshots/', import.meta.url));

function runnable(): boolean {
  const ready = CLASSPATH_FILE !== undefined && existsSync(CLASSPATH_FILE) && existsSync(CLASSES) && existsSync(CHROMIUM);
  if (!ready && process.env.STRATAL_REQUIRE_SERVER === 'true') {
    throw new Error('STRATAL_REQUIRE_SERVER is set: the demo test needs STRATAL_DEMO_CLASSPATH_FILE, target/classes and Chromium');
  }
  return ready;
}

describe.skipIf(!runnable())("the demo's viewer in Chromium", () => {
  let demo: ChildProcess;
  let sampleJob: string;
  let liveJob: string;
  let browser: Browser;

  beforeAll(async () => {
    const classpath = `${CLASSES}:${readFileSync(CLASSPATH_FILE!, 'utf8').trim()}`;
    demo = spawn('java', ['-cp', classpath, 'io.stratal.logs.cli.Main', 'demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    demo.stderr!.on('data', (d) => (output += d));
    const lines = createInterface({ input: demo.stdout! });
    [sampleJob, liveJob] = await new Promise<[string, string]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo printed no viewer address in 90 s: ${output}`)), 90_000);
      let sample: string | undefined;
      lines.on('line', (line) => {
        output += `${line}\n`;
        const address = /Log viewer, (the sample job|live): +(http\S+)/.exec(line);
        if (address?.[1] === 'the sample job') sample = address[2];
        if (address?.[1] === 'live' && sample) {
          clearTimeout(timer);
          resolve([sample, address[2]!]);
        }
      });
      demo.on('exit', (code) => reject(new Error(`the demo exited ${code}: ${output}`)));
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      await new Promise((resolve) => {
        demo.on('exit', resolve);
        demo.kill('SIGTERM');
        // the JVM writes what is queued and stops its embedded PostgreSQL: about 2 s here, more on a loaded
        // machine (once over the 10 s a hook gets by default); it never outlives the test
        setTimeout(() => demo.kill('SIGKILL'), 45_000).unref();
      });
    }
  }, 60_000);

  it("shows the sample job run's tasks, lines and errors", async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    await page.goto(sampleJob);
    const jobRunId = new URL(sampleJob).searchParams.get('job_run_id')!;
    const view = page.getByRole('region', { name: `Job run ${jobRunId}` });
    const tasks = view.getByRole('list', { name: 'Tasks' });
    await expect.poll(() => tasks.getByRole('listitem').count()).toBe(5);
    expect(await tasks.locator('.stratal-task-failed').count()).toBeGreaterThanOrEqual(1);
    // the lines come from a request of their own, which may answer after the tasks' summary
    await expect
      .poll(async () => Number((await view.getByTestId('line-count').textContent())!.split(' ')[0]))
      .toBeGreaterThan(10);
    await expect.poll(() => view.locator('.stratal-line[data-level=error]').count()).toBeGreaterThanOrEqual(1);
    expect(await view.textContent()).toContain('Task failed');
    expect(await view.textContent()).toContain('Job failed');
    await page.screenshot({ path: `${SCREENSHOTS}demo-sample-job.png` });
    await page.close();
  });

  it("follows the demo's live job as it logs a line a second", async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 800 } });
    await page.goto(liveJob);
    const count = async () => Number((await page.getByTestId('line-count').textContent())!.split(' ')[0]);
    await expect.poll(count).toBeGreaterThan(0);
    const before = await count();
    await expect.poll(count, { timeout: 10_000 }).toBeGreaterThan(before);
    await page.screenshot({ path: `${SCREENSHOTS}demo-live.png` });
    await page.close();
  });
});
