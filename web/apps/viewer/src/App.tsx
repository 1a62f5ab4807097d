import { LogStreamingService, type JobRunEntry } from '@stratal/logs-client';
import LogViewer from '@stratal/logs-react';
import '@stratal/logs-react/log-viewer.css';
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { addressOf, isRunId, lineOf, takeToken, viewOf, type View } from './address.js';

const token = takeToken();

function when(timestamp: string | null): string {
  return timestamp === null ? '—' : `${timestamp.slice(0, 10)} ${timestamp.slice(11, 19)} UTC`;
}

/** With `errorsOnly`, pages read on their own until this many runs with errors show, or this many pages were read. */
const ERROR_RUNS_WANTED = 20;
const MAX_PAGES_UNASKED = 10;

/**
 * The job runs with logs, newest activity first, with their error counts; more on request. With `errorsOnly`
 * only the runs that logged errors show, and it reads on by itself (up to 10 pages of 50) until 20 of them do.
 */
function RunPicker({ service, errorsOnly }: { service: LogStreamingService; errorsOnly: boolean }): ReactNode {
  const [runs, setRuns] = useState<JobRunEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [pages, setPages] = useState(0);
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const load = (after?: string) => {
    setLoading(true);
    service.getJobRuns({ limit: 50, cursor: after }).then((page) => {
      setRuns((r) => (after ? r.concat(page.job_runs) : page.job_runs));
      setCursor(page.next_cursor);
      setPages((n) => n + 1);
      setLoading(false);
    }, (e: unknown) => {
      setError(e instanceof Error ? e.message : String(e));
      setLoading(false);
    });
  };
  useEffect(() => load(), [service]); // eslint-disable-line react-hooks/exhaustive-deps
  const shown = errorsOnly ? runs.filter((run) => run.errors > 0) : runs;
  useEffect(() => {
    if (errorsOnly && !loading && !error && cursor && shown.length < ERROR_RUNS_WANTED && pages < MAX_PAGES_UNASKED) {
      load(cursor);
    }
  }, [errorsOnly, loading, error, cursor, shown.length, pages]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <section aria-label="Job runs" className="runs">
      <h2>{errorsOnly ? 'Job runs with errors' : 'Job runs'}</h2>
      <p className="runs-filter">
        {errorsOnly
          ? <a id="all-runs" href={addressOf({ kind: 'runs' })}>Show every job run</a>
          : <a id="error-runs" href={addressOf({ kind: 'runs', errorsOnly: true })}>Only the runs with errors</a>}
      </p>
      {error ? <p role="alert" className="error">{error}</p> : null}
      {!loading && !error && runs.length === 0 ? <p>No job run has logs yet.</p> : null}
      {!loading && !error && runs.length > 0 && shown.length === 0
        ? <p id="no-error-runs">{`None of the ${runs.length} most recent job runs logged an error.`}</p> : null}
      <table>
        <thead>
          <tr><th>Job run</th><th>Last log</th><th>Logs</th><th>Errors</th><th>Warnings</th><th>Tasks</th></tr>
        </thead>
        <tbody>
          {shown.map((run) => (
            <tr key={run.job_run_id} className={run.errors > 0 ? 'failed' : undefined}>
              <td><a href={addressOf({ kind: 'job', id: run.job_run_id })}>{run.job_run_id}</a></td>
              <td>{when(run.last)}</td>
              <td>{run.logs}</td>
              <td>{run.errors > 0 ? <span className="error-mark">✖ {run.errors}</span> : '0'}</td>
              <td>{run.warnings}</td>
              <td>{run.tasks}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor ? <button type="button" onClick={() => load(cursor)} disabled={loading}>More job runs</button> : null}
    </section>
  );
}

const NAV: { label: string; view: View }[] = [
  { label: 'Job runs', view: { kind: 'runs' } },
  { label: 'System logs', view: { kind: 'type', type: 'system' } },
  { label: 'Job logs', view: { kind: 'type', type: 'job' } },
  { label: 'Task logs', view: { kind: 'type', type: 'task' } },
  { label: 'All logs', view: { kind: 'all' } },
];

/** The viewer the server serves at `/`: what the address says, a run picker otherwise. */
export function App(): ReactNode {
  const service = useMemo(() => new LogStreamingService({ token }), []);
  const view = viewOf(location.search);
  const [live, setLive] = useState(true);
  const [runId, setRunId] = useState('');
  const [kind, setKind] = useState<'job' | 'task'>('job');
  const badId = (view.kind === 'job' || view.kind === 'task') && !isRunId(view.id) ? view.id : undefined;

  const open = (event: FormEvent) => {
    event.preventDefault();
    location.search = addressOf({ kind, id: runId.trim() });
  };
  const current = addressOf(view);
  return (
    <>
      <header className="top">
        <h1><a href="?">Stratal logs</a></h1>
        <nav aria-label="Views">
          {NAV.map((item) => {
            const address = addressOf(item.view);
            return <a key={item.label} href={address} aria-current={address === current ? 'page' : undefined}>{item.label}</a>;
          })}
        </nav>
        <form onSubmit={open} aria-label="Open a run">
          <select aria-label="Run kind" value={kind} onChange={(e) => setKind(e.target.value as 'job' | 'task')}>
            <option value="job">Job run</option>
            <option value="task">Task run</option>
          </select>
          <input id="run-id" aria-label="Run id" placeholder="123e4567-e89b-12d3-a456-426614174000" spellCheck={false} size={38}
            value={runId} onChange={(e) => setRunId(e.target.value)} />
          <button id="show" type="submit">Show</button>
        </form>
        <label className="toggle"><input id="live" type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live</label>
      </header>
      <main>
        {badId !== undefined ? (
          <p id="error" role="alert" className="error">
            {`"${badId}" is not a run id (a UUID like 123e4567-e89b-12d3-a456-426614174000)`}
          </p>
        ) : view.kind === 'runs' ? (
          <RunPicker service={service} errorsOnly={view.errorsOnly === true} />
        ) : (
          <LogViewer
            service={service}
            live={live}
            height="calc(100vh - 190px)"
            jobRunId={view.kind === 'job' ? view.id : undefined}
            taskRunId={view.kind === 'task' ? view.id : undefined}
            filterType={view.kind === 'type' ? view.type : undefined}
            selectedLine={lineOf(location.hash)}
            onSelectLine={(id) => history.replaceState(null, '', `${location.search}#line=${id}`)}
          />
        )}
      </main>
    </>
  );
}
