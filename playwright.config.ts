import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

/** The port the e2e run serves the product on; fixed so a stray server on it fails the run instead of being tested. */
const port = Number(process.env.LENDNET_E2E_PORT ?? 3107);
const origin = `http://127.0.0.1:${port}`;

/** The browser: `$PLAYWRIGHT_CHROMIUM_EXECUTABLE`, else Debian's chromium, else Playwright's own download (a laptop). */
const chromium = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

/**
 * The e2e tests of the running product (e2e/*.spec.ts), in Chromium, against a fresh devnet that
 * e2e/serve.ts starts for the run. Artifacts (screenshots, traces of failures, the HTML report) go
 * under e2e/artifacts, which git ignores.
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'e2e/artifacts/results',
  reporter: [['list'], ['html', { outputFolder: 'e2e/artifacts/report', open: 'never' }]],
  // One node and one browser are enough work for a 2-core machine.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: origin,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          ...(chromium ? { executablePath: chromium } : {}),
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
        },
      },
    },
  ],
  webServer: {
    command: `node --import tsx e2e/serve.ts --port ${port}`,
    url: `${origin}/healthz`,
    // The first start runs `next build` (about a minute here, longer on a busy machine).
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
  },
});
