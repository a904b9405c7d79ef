/**
 * The `test` every spec imports. Adds:
 *  - asRole(role, options?): a page in a fresh browser context already signed in as that role
 *    (storage state from global setup), e.g. `const page = await asRole('viewer')`;
 *  - apiAs(role): an HTTP client with that role's session cookies, for direct tRPC calls;
 *  - origin: the server's origin, for the Origin header mutations need.
 * Contexts made here are closed when the test ends.
 */
import { test as base, expect, type APIRequestContext, type BrowserContextOptions, type Page } from '@playwright/test';
import type { E2ERole } from './support/accounts';
import { BASE_URL, runDir, stateFileOf } from './support/env';

export interface E2EFixtures {
  asRole: (role: E2ERole, options?: BrowserContextOptions) => Promise<Page>;
  apiAs: (role: E2ERole) => Promise<APIRequestContext>;
  origin: string;
}

export const test = base.extend<E2EFixtures>({
  asRole: async ({ browser }, use, testInfo) => {
    const contexts: Awaited<ReturnType<typeof browser.newContext>>[] = [];
    // An uncaught exception in the console's own code is a bug even when the assertions pass.
    const crashes: string[] = [];
    const consoleErrors: string[] = [];
    await use(async (role, options = {}) => {
      const context = await browser.newContext({ ...options, baseURL: BASE_URL, storageState: stateFileOf(runDir(), role) });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => crashes.push(`${role} ${page.url()}: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(`${role} ${page.url()}: ${message.text()} (${message.location().url})`);
      });
      return page;
    });
    for (const context of contexts) await context.close();
    // Console errors include expected ones (a refused request logs one), so they are attached for
    // reading, not failed on.
    if (consoleErrors.length > 0) await testInfo.attach('browser-console-errors.txt', { body: consoleErrors.join('\n'), contentType: 'text/plain' });
    expect(crashes, 'uncaught exceptions in the page').toEqual([]);
  },
  apiAs: async ({ playwright }, use) => {
    const clients: APIRequestContext[] = [];
    await use(async (role) => {
      const client = await playwright.request.newContext({ baseURL: BASE_URL, storageState: stateFileOf(runDir(), role) });
      clients.push(client);
      return client;
    });
    for (const client of clients) await client.dispose();
  },
  // eslint-disable-next-line no-empty-pattern
  origin: async ({}, use) => {
    await use(BASE_URL);
  },
});

export { expect };
