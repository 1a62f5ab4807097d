import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The build goes where the server serves it from (the Maven resources), so mvn never needs Node; CI
// builds it again and fails when the committed files differ.
export default defineConfig({
  resolve: {
    alias: {
      '@stratal/logs-react/log-viewer.css': source('../../packages/react/src/log-viewer.css'),
      '@stratal/logs-react': source('../../packages/react/src/index.ts'),
      '@stratal/logs-client': source('../../packages/client/src/index.ts'),
    },
  },
  build: {
    outDir: source('../../../src/main/resources/viewer'),
    emptyOutDir: true,
    sourcemap: false,
  },
});
