export { LogViewer, default, formatTime } from './LogViewer.js';
export type { LogViewerProps } from './LogViewer.js';
export { AnsiText } from './ansi.js';
export { Toolbar, highlight } from './Toolbar.js';
export { Tasks, useSummary } from './Tasks.js';
export type { TasksProps } from './Tasks.js';
export type { ToolbarProps } from './Toolbar.js';
export { useLogRows, merge } from './useLogRows.js';
export type { LogRowsState, ViewerSelection } from './useLogRows.js';
