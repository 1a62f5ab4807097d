import type { JobRunSummary, LogStreamingService } from '@stratal/logs-client';
import { useEffect, useState, type ReactNode } from 'react';

/**
 * A job run's summary, read again at most every 2 s while its lines change: the run's counts and, for each
 * task run, its counts with a mark when it has errors.
 */
export function useSummary(service: LogStreamingService, jobRunId: string | undefined, version: number): JobRunSummary | undefined {
  const [summary, setSummary] = useState<JobRunSummary>();
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    setSummary(undefined);
  }, [jobRunId]);
  useEffect(() => {
    if (!jobRunId) return;
    const abort = new AbortController();
    const wait = Math.max(0, asked + 2000 - Date.now());
    const timer = setTimeout(() => {
      setAsked(Date.now());
      service.getJobRunSummary(jobRunId, { signal: abort.signal }).then(setSummary, () => {
        // the lines say what went wrong; the summary waits for the next change
      });
    }, wait);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- asked only paces the next read
  }, [service, jobRunId, version]);
  return summary;
}

export interface TasksProps {
  summary: JobRunSummary;
  collapsed: ReadonlySet<string>;
  onToggle(taskRunId: string): void;
}

/** The run's task runs with their counts, an error mark, and a switch that folds each one's lines away. */
export function Tasks({ summary, collapsed, onToggle }: TasksProps): ReactNode {
  if (summary.tasks.length === 0) {
    return null;
  }
  return (
    <ul className="stratal-tasks" aria-label="Tasks">
      {summary.tasks.map((task) => {
        const open = !collapsed.has(task.task_run_id);
        const lines = task.counts.debug + task.counts.info + task.counts.warn + task.counts.error;
        return (
          <li key={task.task_run_id} className={task.counts.error > 0 ? 'stratal-task-row stratal-task-failed' : 'stratal-task-row'}>
            <button type="button" aria-expanded={open} aria-label={`${open ? 'Fold' : 'Unfold'} task ${task.task_name ?? task.task_run_id}`}
              onClick={() => onToggle(task.task_run_id)}>
              {open ? '▾' : '▸'}
            </button>
            {task.counts.error > 0 ? <span className="stratal-error-mark" title="has errors">✖</span> : <span className="stratal-ok-mark">✓</span>}
            <span className="stratal-task" title={task.task_run_id}>{task.task_name ?? task.task_run_id.slice(0, 8)}</span>
            <span className="stratal-task-counts">
              {lines} {lines === 1 ? 'line' : 'lines'}
              {task.counts.error > 0 ? `, ${task.counts.error} ${task.counts.error === 1 ? 'error' : 'errors'}` : ''}
              {task.counts.warn > 0 ? `, ${task.counts.warn} ${task.counts.warn === 1 ? 'warning' : 'warnings'}` : ''}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
