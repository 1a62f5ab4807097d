import type { LogMessage } from '@stratal/logs-client';

/**
 * A log server in memory, as the viewer's tests need it: the list endpoints with the server's paging (limit,
 * order, cursors both ways, from_id, level and q filters), a job run's summary, the counts by type, the
 * stream status, and SSE streams that replay after Last-Event-ID and then carry what {@link FakeServer.push}
 * adds. Rows are in id order, which their timestamps follow.
 */
export interface FakeServer {
  fetch: typeof fetch;
  /** Every request, in order. */
  requests: { url: string; headers: Record<string, string> }[];
  /** Adds rows and sends them to the open streams that select them. */
  push(...rows: LogMessage[]): void;
  /** Open streams. */
  streams(): number;
}

export function row(id: number, fields: Partial<LogMessage> = {}): LogMessage {
  const seconds = String(id % 60).padStart(2, '0');
  const minutes = String(Math.floor(id / 60) % 60).padStart(2, '0');
  const hours = String(Math.floor(id / 3600) % 24).padStart(2, '0');
  const day = String(1 + Math.floor(id / 86400)).padStart(2, '0');
  return { id, type: 'task', job_run_id: 'j', task_run_id: 't', timestamp: `2026-11-${day}T${hours}:${minutes}:${seconds}.000000Z`,
    level: 'info', stream: 'stdout', message: `line ${id}`, metadata: null, ...fields };
}

export function rows(from: number, to: number, fields: Partial<LogMessage> = {}): LogMessage[] {
  const out: LogMessage[] = [];
  for (let id = from; id <= to; id++) out.push(row(id, fields));
  return out;
}

interface Cursor { id: number; desc: boolean }

const encode = (cursor: Cursor) => btoa(JSON.stringify(cursor));
const decode = (text: string) => JSON.parse(atob(text)) as Cursor;

export function fakeServer(initial: LogMessage[]): FakeServer {
  const all = [...initial];
  const requests: FakeServer['requests'] = [];
  const open: { select: (log: LogMessage) => boolean; send: (log: LogMessage) => void }[] = [];

  const selector = (path: string, query: URLSearchParams): ((log: LogMessage) => boolean) => {
    const levels = query.get('level')?.split(',');
    const q = query.get('q')?.toLowerCase();
    const job = query.get('job_run_id') ?? /\/job-runs\/([^/]+)$/.exec(path)?.[1];
    const task = query.get('task_run_id') ?? /\/task-runs\/([^/]+)$/.exec(path)?.[1];
    const type = path.endsWith('/system') ? 'system' : query.get('type') ?? /\/type\/([^/]+)$/.exec(path)?.[1];
    return (log) => (!job || log.job_run_id === job) && (!task || log.task_run_id === task) && (!type || log.type === type)
      && (!levels || levels.includes(log.level)) && (!q || log.message.toLowerCase().includes(q));
  };

  const list = (path: string, query: URLSearchParams): Response => {
    const limit = Math.min(Number(query.get('limit') ?? 100), 1000);
    const desc = query.get('order') === 'desc';
    const cursor = query.get('cursor');
    const fromId = query.get('from_id');
    const selected = all.filter(selector(path, query));
    let after: Cursor | undefined;
    if (cursor) {
      after = decode(cursor);
      if (after.desc !== desc) return json({ error: 'cursor for the other order', parameter: 'cursor' }, 400);
    } else if (fromId) {
      const id = Number(fromId);
      if (!all.some((log) => log.id === id)) return json({ error: `no log has id ${id}`, parameter: 'from_id' }, 400);
      after = { id: desc ? id + 1 : id - 1, desc };
    }
    const ordered = desc ? [...selected].reverse() : selected;
    const rest = after ? ordered.filter((log) => (desc ? log.id < after!.id : log.id > after!.id)) : ordered;
    const page = rest.slice(0, limit);
    const hasMore = rest.length > limit;
    const first = page[0];
    const last = page[page.length - 1];
    return json({
      logs: page, limit, offset: 0, has_more: hasMore,
      next_cursor: hasMore && last ? encode({ id: last.id, desc }) : null,
      prev_cursor: (cursor || fromId) && first ? encode({ id: first.id, desc: !desc }) : null,
    });
  };

  const counts = (logs: LogMessage[]) => ({
    debug: logs.filter((l) => l.level === 'debug').length, info: logs.filter((l) => l.level === 'info').length,
    warn: logs.filter((l) => l.level === 'warn').length, error: logs.filter((l) => l.level === 'error').length,
  });

  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const url = new URL(String(input));
    requests.push({ url: url.toString(), headers });
    const path = url.pathname.replace(/^\/api\/v1\/logs/, '');
    if (path === '/stream/sse') {
      const select = selector('', url.searchParams);
      const afterId = Number(headers['last-event-id'] ?? url.searchParams.get('after_id') ?? Number.NaN);
      const encoder = new TextEncoder();
      return new Response(new ReadableStream({
        start(controller) {
          const send = (log: LogMessage) => controller.enqueue(encoder.encode(`id: ${log.id}\nevent: log\ndata: ${JSON.stringify(log)}\n\n`));
          if (!Number.isNaN(afterId)) all.filter((log) => log.id > afterId && select(log)).forEach(send);
          const position = all.length === 0 ? 0 : all[all.length - 1]!.id;
          controller.enqueue(encoder.encode(`id: ${position}\nevent: ready\ndata: {"position": ${position}}\n\n`));
          const entry = { select, send };
          open.push(entry);
          init?.signal?.addEventListener('abort', () => {
            open.splice(open.indexOf(entry), 1);
            controller.error(new DOMException('aborted', 'AbortError'));
          });
        },
      }), { headers: { 'Content-Type': 'text/event-stream' } });
    }
    if (path === '/stream/status') {
      return json({ listening: true, mode: 'notify', standby: false, poll_interval_ms: 2000, channel: 'stratal_logs',
        last_id: all.length === 0 ? 0 : all[all.length - 1]!.id, clients: { sse: open.length, ws: 0 }, notifications: 0, polls: 0,
        last_error: null });
    }
    if (path === '/stats') {
      const byType: Record<string, number> = {};
      for (const log of all) byType[log.type] = (byType[log.type] ?? 0) + 1;
      return json({ window: '1h', since: '2026-11-29T00:00:00.000000Z', by_type: byType, by_level: {}, error_rates: [],
        table: { total_bytes: 0, table_bytes: 0, index_bytes: 0 }, rows_per_day: [] });
    }
    const summary = /^\/job-runs\/([^/]+)\/summary$/.exec(path);
    if (summary) {
      const logs = all.filter((log) => log.job_run_id === summary[1]);
      const tasks = [...new Set(logs.map((log) => log.task_run_id).filter((t): t is string => t !== null))];
      return json({ job_run_id: summary[1], first: logs[0]?.timestamp ?? null, last: logs[logs.length - 1]?.timestamp ?? null,
        counts: counts(logs), tasks: tasks.map((task) => {
          const own = logs.filter((log) => log.task_run_id === task);
          return { task_run_id: task, task_name: null, first: own[0]?.timestamp ?? null, last: own[own.length - 1]?.timestamp ?? null,
            counts: counts(own), streams: { stdout: own.length } };
        }) });
    }
    return list(path, url.searchParams);
  }) as typeof fetch;

  return {
    fetch: fetchImpl,
    requests,
    push(...added) {
      for (const log of added) {
        all.push(log);
        for (const stream of [...open]) {
          if (stream.select(log)) stream.send(log);
        }
      }
    },
    streams: () => open.length,
  };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}
