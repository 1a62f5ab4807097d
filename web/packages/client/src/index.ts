export { LogStreamingService } from './service.js';
export type { LogStreamingOptions, ListOptions } from './service.js';
export { LogEventStream, StreamClosedError } from './stream.js';
export type { StreamClosed, StreamHandle, StreamHandlers, StreamTarget } from './stream.js';
export { LogApiError } from './errors.js';
export type {
  JobRunEntry, JobRunPage, JobRunSummary, LevelCounts, LogFilters, LogLevel, LogMessage, LogPage, LogStream, LogType, PageOptions, Selection,
  LogStats, StreamStatus, TaskRunSummary,
} from './types.js';
