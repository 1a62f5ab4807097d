import { existsSync } from 'node:fs';
import { available } from '../packages/client/test/serve.js';

/** Debian's Chromium, driven by playwright-core (which never downloads a browser). */
export const CHROMIUM = process.env.STRATAL_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether a browser test can run: `serve` is available, Chromium is installed and each of `parts` exists.
 * Where the environment sets `requiredBy` to `true` (CI does), a missing part fails the run, naming
 * Chromium and `needs`, instead of skipping it: a green CI must not be a skipped one.
 */
export function browserReady(requiredBy: string, parts: (string | undefined)[] = [], needs?: string): boolean {
  if (!available()) return false;
  const ready = existsSync(CHROMIUM) && parts.every((part) => part !== undefined && existsSync(part));
  if (!ready && process.env[requiredBy] === 'true') {
    throw new Error(`${requiredBy} is set: the test needs ${[CHROMIUM, needs].filter(Boolean).join(' and ')}`);
  }
  return ready;
}
