export { LogViewer, default } from './LogViewer.js';
export type { LogViewerProps } from './LogViewer.js';
export { AnsiText } from './ansi.js';
export { useLogRows, merge } from './useLogRows.js';
export type { LogRowsState, ViewerSelection } from './useLogRows.js';
