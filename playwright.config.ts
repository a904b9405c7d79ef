/**
 * Playwright end-to-end tests of the console, on Debian's chromium (Playwright's own browser
 * download is not available here). e2e/global-setup.ts seeds a temp data folder, starts the
 * production build (`next build` first; npm test does it) and signs every role in.
 * One worker and no retries: two shared cores, and a flaky test must fail loudly, not be re-run.
 */
import { defineConfig } from '@playwright/test';
import { BASE_URL, CHROMIUM, CHROMIUM_ARGS } from './e2e/support/env';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/report.json' }]],
  outputDir: 'test-results',
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
    // A missing element fails in 15 s rather than using up the whole test timeout.
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [{ name: 'chromium' }],
});
