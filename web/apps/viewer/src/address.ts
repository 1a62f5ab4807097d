import type { LogType } from '@stratal/logs-client';

/** What the address asks to show. */
export type View =
  | { kind: 'runs'; errorsOnly?: boolean }
  | { kind: 'job'; id: string }
  | { kind: 'task'; id: string }
  | { kind: 'type'; type: LogType }
  | { kind: 'all' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isRunId(id: string): boolean {
  return UUID.test(id);
}

/**
 * The view of an address: `?job_run_id=<id>`, `?task_run_id=<id>`, `?view=system|type/job|type/task|all`,
 * `?view=job-runs&id=<id>` and `?view=task-runs&id=<id>` (the addresses the demo and older viewers print);
 * `?errors=only` is the run picker with the runs that logged errors (the alerts link there); anything else is
 * the run picker.
 */
export function viewOf(search: string): View {
  const query = new URLSearchParams(search);
  const job = query.get('job_run_id');
  const task = query.get('task_run_id');
  const view = query.get('view');
  const id = query.get('id');
  if (job !== null) return { kind: 'job', id: job.trim() };
  if (task !== null) return { kind: 'task', id: task.trim() };
  if (view === 'job-runs' && id) return { kind: 'job', id: id.trim() };
  if (view === 'task-runs' && id) return { kind: 'task', id: id.trim() };
  if (view === 'system' || view === 'type/system') return { kind: 'type', type: 'system' };
  if (view === 'type/job') return { kind: 'type', type: 'job' };
  if (view === 'type/task') return { kind: 'type', type: 'task' };
  if (view === 'all') return { kind: 'all' };
  if (query.get('errors') === 'only') return { kind: 'runs', errorsOnly: true };
  return { kind: 'runs' };
}

/** The address of a view. */
export function addressOf(view: View): string {
  switch (view.kind) {
    case 'job': return `?job_run_id=${encodeURIComponent(view.id)}`;
    case 'task': return `?task_run_id=${encodeURIComponent(view.id)}`;
    case 'type': return view.type === 'system' ? '?view=system' : `?view=type/${view.type}`;
    case 'all': return '?view=all';
    default: return view.errorsOnly ? '?errors=only' : '?';
  }
}

/**
 * The token: from `#token=<token>` (then kept for this tab in sessionStorage and taken out of the address,
 * so it is not shared with a copied link), else what this tab was given before.
 */
export function takeToken(): string | undefined {
  const hash = new URLSearchParams(location.hash.slice(1));
  const given = hash.get('token');
  if (given) {
    sessionStorage.setItem('stratal.token', given);
    hash.delete('token');
    const rest = hash.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
    return given;
  }
  return sessionStorage.getItem('stratal.token') ?? undefined;
}

/** The line in `#line=<id>`. */
export function lineOf(hash: string): number | undefined {
  const line = new URLSearchParams(hash.slice(1)).get('line');
  return line !== null && /^\d+$/.test(line) ? Number(line) : undefined;
}
