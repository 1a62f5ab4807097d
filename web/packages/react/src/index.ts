'use client';

export { LogViewer, default } from './LogViewer.js';
export type { LogViewerProps } from './LogViewer.js';
