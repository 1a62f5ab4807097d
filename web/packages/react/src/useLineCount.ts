import type { JobRunSummary, LevelCounts, LogFilters, LogMessage, LogStreamingService } from '@stratal/logs-client';
import { useEffect, useMemo, useState } from 'react';
import { useSummary } from './Tasks.js';
import type { ViewerSelection } from './useLogWindow.js';

const sum = (counts: LevelCounts) => counts.debug + counts.info + counts.warn + counts.error;

function filtered(filters: LogFilters | undefined): boolean {
  return filters !== undefined && Object.values(filters).some((value) => value !== undefined && (!Array.isArray(value) || value.length > 0));
}

/**
 * How many lines a selection holds, from the server's counts rather than from reading them all: a job run's
 * from its summary, a task run's from its job run's summary, a type's or everything from the table's counts
 * by type. {@code undefined} with filters (no count answers them) or until the count is in; never below the
 * lines the view holds.
 */
export function useLineCount(service: LogStreamingService, selection: ViewerSelection, filters: LogFilters | undefined,
  summary: JobRunSummary | undefined, loaded: LogMessage[]): number | undefined {
  const taskRunId = 'taskRunId' in selection ? selection.taskRunId : undefined;
  const jobOfTask = taskRunId ? loaded.find((row) => row.job_run_id !== null)?.job_run_id ?? undefined : undefined;
  const taskSummary = useSummary(service, jobOfTask ?? undefined, loaded.length);
  const byType = 'type' in selection || 'all' in selection;
  const [typeCounts, setTypeCounts] = useState<Record<string, number>>();
  const selectionKey = JSON.stringify(selection);
  useEffect(() => {
    setTypeCounts(undefined);
    if (!byType || filtered(filters)) return undefined;
    const abort = new AbortController();
    service.getStats({ signal: abort.signal }).then((stats) => setTypeCounts(stats.by_type), () => {
      // no count: the view says how many lines it holds
    });
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the key holds the selection
  }, [service, selectionKey, byType, JSON.stringify(filters ?? {})]);

  return useMemo(() => {
    if (filtered(filters)) return undefined;
    let counted: number | undefined;
    if ('jobRunId' in selection) counted = summary ? sum(summary.counts) : undefined;
    else if (taskRunId) {
      const task = taskSummary?.tasks.find((t) => t.task_run_id === taskRunId);
      counted = task ? sum(task.counts) : undefined;
    } else if ('type' in selection) counted = typeCounts ? typeCounts[selection.type] ?? 0 : undefined;
    else counted = typeCounts ? Object.values(typeCounts).reduce((a, b) => a + b, 0) : undefined;
    return counted === undefined ? undefined : Math.max(counted, loaded.length);
  }, [filters, selection, summary, taskRunId, taskSummary, typeCounts, loaded.length]);
}
