import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // the workspace's sources, so the app builds without building the packages first
    alias: {
      '@stratal/logs-react/log-viewer.css': source('../../packages/react/src/log-viewer.css'),
      '@stratal/logs-react': source('../../packages/react/src/index.ts'),
      '@stratal/logs-client': source('../../packages/client/src/index.ts'),
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
