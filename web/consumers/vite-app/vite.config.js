import { defineConfig } from 'vite';

export default defineConfig({
  // JSX without a plugin: Vite's own transform, React's automatic runtime
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true },
});
