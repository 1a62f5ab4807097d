import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LogApiError, LogStreamingService, type LogMessage } from '../src/index.js';
import { available, createDatabase, freePort, startServe, type Serve, type TestDatabase } from './serve.js';

const TOKEN = 'client-it-token';

describe.skipIf(!available())('against a running serve', () => {
  let db: TestDatabase;
  let serve: Serve;
  let port: number;
  let job: string;
  let task: string;

  async function insert(type: string, jobRunId: string | null, taskRunId: string | null, message: string, level = 'info'): Promise<void> {
    await db.client.query(
      `INSERT INTO logs (type, job_run_id, task_run_id, timestamp, level, stream, message, metadata)
       VALUES ($1, $2, $3, now(), $4, $5, $6, $7)`,
      [type, jobRunId, taskRunId, level, taskRunId ? 'stdout' : 'system', message, JSON.stringify({ n: message })]);
  }

  beforeAll(async () => {
    db = await createDatabase();
    job = (await db.client.query("INSERT INTO job_runs (job_name) VALUES ('client-it') RETURNING id")).rows[0].id;
    task = (await db.client.query('INSERT INTO task_runs (job_run_id, task_name) VALUES ($1, $2) RETURNING id', [job, 't'])).rows[0].id;
    await insert('job', job, null, 'job started');
    await insert('task', job, task, 'task line');
    await insert('task', job, task, 'task failed', 'error');
    await insert('system', null, null, 'Database connection established');
    port = await freePort();
    serve = await startServe(db.jdbcUrl, port, TOKEN);
  }, 90_000);

  afterAll(async () => {
    await serve?.stop();
    await db?.drop();
  });

  it("answers the seed's examples", async () => {
    const logService = new LogStreamingService({ baseUrl: serve.baseUrl, token: TOKEN });
    const jobLogs = await logService.getJobRunLogs(job, 100, 0);
    expect(jobLogs.map((l) => l.message)).toEqual(['job started', 'task line', 'task failed']);
    expect(jobLogs[1]).toMatchObject({ type: 'task', job_run_id: job, task_run_id: task, level: 'info', stream: 'stdout',
      metadata: { n: 'task line' } });
    const systemLogs = await logService.getSystemLogs(50, 0);
    expect(systemLogs.map((l) => l.message)).toEqual(['Database connection established']);
    const taskLogs = await logService.getLogsByType('task', 100, 0);
    expect(taskLogs).toHaveLength(2);
    expect((await logService.getTaskRunLogs(task, 1, 1)).map((l) => l.message)).toEqual(['task failed']);
    expect((await logService.getJobRunLogs(job, 100, 0, { filters: { level: ['error'], q: 'FAILED' } })).map((l) => l.message))
      .toEqual(['task failed']);
    const summary = await logService.getJobRunSummary(job);
    expect(summary.counts).toEqual({ debug: 0, info: 2, warn: 0, error: 1 });
    expect(summary.tasks).toHaveLength(1);
    expect(summary.tasks[0]).toMatchObject({ task_run_id: task, counts: { info: 1, error: 1 }, streams: { stdout: 2 } });
    expect((await logService.getJobRuns({ limit: 10 })).job_runs.map((r) => r.job_run_id)).toContain(job);
  });

  it("streams all logs, as the seed's example does", async () => {
    const logService = new LogStreamingService({ baseUrl: serve.baseUrl, token: TOKEN });
    const seen: string[] = [];
    let opened = false;
    const streamer = logService.streamAllLogs({
      onOpen: () => {
        opened = true;
      },
      onMessage: (log: LogMessage) => {
        switch (log.type) {
          case 'system':
            seen.push(`[SYSTEM] ${log.message}`);
            break;
          case 'job':
            seen.push(`[JOB ${log.job_run_id}] ${log.message}`);
            break;
          case 'task':
            seen.push(`[TASK ${log.task_run_id}] ${log.message}`);
            break;
        }
      },
    });
    try {
      await vi.waitFor(() => expect(opened).toBe(true), { timeout: 10_000 });
      await insert('system', null, null, 'cache warmed');
      await insert('task', job, task, 'task says hello');
      await vi.waitFor(() => expect(seen).toEqual(['[SYSTEM] cache warmed', `[TASK ${task}] task says hello`]), { timeout: 10_000 });
    } finally {
      streamer.close();
    }
  });

  it('is refused without the token, and a bad parameter names itself', async () => {
    const anonymous = new LogStreamingService({ baseUrl: serve.baseUrl });
    await expect(anonymous.getSystemLogs(10, 0)).rejects.toMatchObject({ status: 401 });
    const service = new LogStreamingService({ baseUrl: serve.baseUrl, token: TOKEN });
    const failure = await service.getJobRunLogs(job, 100, 0, { filters: { since: 'yesterday' } }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LogApiError);
    expect(failure).toMatchObject({ status: 400, parameter: 'since' });
  });

  it('keeps a stream through a restart of the server, each row once and in order', async () => {
    const service = new LogStreamingService({ baseUrl: serve.baseUrl, token: TOKEN });
    const received: LogMessage[] = [];
    const errors: Error[] = [];
    let opened = 0;
    const stream = service.streamJobRun(job, {
      onMessage: (log) => received.push(log),
      onError: (error) => errors.push(error),
      onOpen: () => opened++,
    });
    try {
      await vi.waitFor(() => expect(opened).toBe(1), { timeout: 10_000 });
      for (let i = 1; i <= 5; i++) {
        await insert('job', job, null, `live ${i}`);
      }
      await vi.waitFor(() => expect(received).toHaveLength(5), { timeout: 10_000 });

      await serve.stop();
      for (let i = 6; i <= 10; i++) {
        await insert('job', job, null, `live ${i}`); // written while no server runs
      }
      serve = await startServe(db.jdbcUrl, port, TOKEN);
      for (let i = 11; i <= 15; i++) {
        await insert('job', job, null, `live ${i}`);
      }
      await vi.waitFor(() => expect(received).toHaveLength(15), { timeout: 30_000 });
      await new Promise((resolve) => setTimeout(resolve, 500)); // nothing more arrives
      expect(received.map((l) => l.message)).toEqual(Array.from({ length: 15 }, (_, i) => `live ${i + 1}`));
      expect(new Set(received.map((l) => l.id)).size).toBe(15);
      expect(errors.length).toBeGreaterThan(0); // it noticed the server go away
      expect(opened).toBeGreaterThanOrEqual(2);
    } finally {
      stream.close();
    }
  }, 60_000);
});
