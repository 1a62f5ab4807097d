import { fileURLToPath } from 'node:url';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The workspace's packages by their sources, for the apps' builds and the tests, so nothing needs building
 * first. The CSS entry comes before the package it is in, as the first match wins.
 */
export const workspaceAliases: Record<string, string> = {
  '@stratal/logs-react/log-viewer.css': source('./packages/react/src/log-viewer.css'),
  '@stratal/logs-react': source('./packages/react/src/index.ts'),
  '@stratal/logs-client': source('./packages/client/src/index.ts'),
};
