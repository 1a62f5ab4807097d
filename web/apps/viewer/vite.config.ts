import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { workspaceAliases } from '../../aliases.js';

// The build goes where the server serves it from (the Maven resources), so mvn never needs Node; CI
// builds it again and fails when the committed files differ.
export default defineConfig({
  resolve: { alias: workspaceAliases },
  build: {
    outDir: fileURLToPath(new URL('../../../src/main/resources/viewer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
  },
});
