import type { LogFilters, PageOptions, Selection } from './types.js';

/** The path of a selection under the API root. */
export function selectionPath(selection: Selection): string {
  if ('jobRunId' in selection) {
    return `/job-runs/${encodeURIComponent(selection.jobRunId)}`;
  }
  if ('taskRunId' in selection) {
    return `/task-runs/${encodeURIComponent(selection.taskRunId)}`;
  }
  if ('type' in selection) {
    return `/type/${encodeURIComponent(selection.type)}`;
  }
  return '/system';
}

function instant(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : value;
}

/** The filters as query parameters, in the server's names. */
export function filterParams(filters: LogFilters | undefined, params: URLSearchParams = new URLSearchParams()): URLSearchParams {
  if (!filters) {
    return params;
  }
  if (filters.level && filters.level.length > 0) {
    params.set('level', filters.level.join(','));
  }
  if (filters.stream && filters.stream.length > 0) {
    params.set('stream', filters.stream.join(','));
  }
  if (filters.since !== undefined) {
    params.set('since', instant(filters.since));
  }
  if (filters.until !== undefined) {
    params.set('until', instant(filters.until));
  }
  if (filters.q !== undefined && filters.q !== '') {
    params.set('q', filters.q);
  }
  if (filters.taskRunId !== undefined) {
    params.set('task_run_id', filters.taskRunId);
  }
  for (const [key, value] of Object.entries(filters.meta ?? {})) {
    params.set(`meta.${key}`, String(value));
  }
  return params;
}

/** The query string of one page. */
export function pageParams(options: PageOptions): URLSearchParams {
  const params = filterParams(options.filters);
  if (options.limit !== undefined) {
    params.set('limit', String(options.limit));
  }
  if (options.cursor !== undefined) {
    params.set('cursor', options.cursor);
  } else if (options.fromId !== undefined) {
    params.set('from_id', String(options.fromId));
  } else if (options.offset !== undefined && options.offset > 0) {
    params.set('offset', String(options.offset));
  }
  if (options.order === 'desc') {
    params.set('order', 'desc');
  }
  return params;
}
