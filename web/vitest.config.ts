import { defineConfig } from 'vitest/config';
import { workspaceAliases } from './aliases.js';

export default defineConfig({
  // the packages' sources, so the tests need no build first
  resolve: { alias: workspaceAliases },
  test: {
    include: ['packages/*/test/**/*.test.{ts,tsx}', 'e2e/**/*.e2e.test.ts'],
    testTimeout: 30_000,
    // a page, a JVM and a database share two cores in CI: wait for what a browser shows
    expect: { poll: { timeout: 15_000, interval: 100 } },
    environment: 'node',
  },
});
