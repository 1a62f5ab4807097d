import { defineConfig } from 'vite';
import { workspaceAliases } from '../../aliases.js';

export default defineConfig({
  resolve: { alias: workspaceAliases },
  build: { outDir: 'dist', emptyOutDir: true },
});
