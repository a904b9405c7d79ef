/**
 * Issue 15, WCAG 2.2 AA: axe-core checks every page of the console in both themes (and the pages
 * on-call staff use on a 375 px phone) and fails on any serious or critical violation. The pages
 * are found the way a person finds them: every section in the navigation as admin, plus one detail
 * page of each kind (a denied run, a module, an inbox item when there is one), the sign-in page
 * and the 404. A new section added to the navigation is checked without touching this file.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { compileWat, writeSignedBundle } from './support/modules';
import { trpcMutation, expectData } from './support/trpc';
import { ensureHelloUploaded, uploadBundle } from './support/console';
import { THEME_COOKIE, type Theme } from '../components/shell/theme';
import { BASE_URL, runDir } from './support/env';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 900 } };
const THEMES: readonly Theme[] = ['dark', 'light'];
const TRAPPER = 'a11y-trapper';

const themeCookie = (theme: Theme) => ({ name: THEME_COOKIE, value: theme, url: BASE_URL });

/** Serious and critical violations on the page as it is now, one line each with where they are. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  // A page axe could not look at would pass vacuously: it must have checked something.
  expect(results.passes.length, `axe checked nothing on ${page.url()}`).toBeGreaterThan(10);
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.slice(0, 5).map((n) => `${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(0, 2).join(' ')}`));
}

/** Waits until the page's data has arrived (no request in flight), bounded so polling pages still finish. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
  await expect(page.locator('main, [role="main"]').first()).toBeVisible();
}

async function firstLink(page: Page, path: string, prefix: string): Promise<string | undefined> {
  await page.goto(path);
  await settled(page);
  const hrefs = await page.locator(`main a[href^="${prefix}"]`).evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  return hrefs.find((h) => h.length > prefix.length && !h.includes('?'));
}

test('every console page has zero serious or critical axe violations, in both themes, at 1280 px', async ({ asRole, apiAs, origin }) => {
  test.setTimeout(300_000);
  const operator = await asRole('operator');
  await ensureHelloUploaded(operator);
  const bundle = writeSignedBundle(runDir(), await compileWat('(module (memory (export "memory") 1) (func (export "_start") unreachable))'), { name: TRAPPER, version: '1.0.0' });
  expectData(await trpcMutation(await apiAs('admin'), origin, 'keys.add', { publicKey: bundle.publicKeyFile, role: 'publisher', name: 'e2e a11y publisher' }), 'keys.add');
  await uploadBundle(operator, bundle.files, TRAPPER);
  const operatorApi = await apiAs('operator');
  expectData(await trpcMutation(operatorApi, origin, 'modules.run', { name: 'hello', args: [] }), 'modules.run hello');
  const denied = expectData(await trpcMutation<{ record: { runId: string; decision: string } }>(operatorApi, origin, 'modules.run', { name: TRAPPER, args: [] }), 'modules.run trapper');
  expect(denied.record.decision).toBe('deny');

  const admin = await asRole('admin', DESKTOP);
  await admin.goto('/');
  const sections = await admin.getByRole('navigation', { name: 'Sections' }).getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  expect(sections).toEqual(expect.arrayContaining(['/', '/runs', '/modules', '/quarantine', '/audit', '/users']));
  const details = [
    `/runs/${denied.record.runId}`,
    `/modules/${TRAPPER}`,
    await firstLink(admin, '/inbox', '/inbox/'),
    '/no-such-page',
  ].filter((p): p is string => p !== undefined);
  const pages = [...sections, ...details];

  const failures: string[] = [];
  for (const theme of THEMES) {
    await admin.context().addCookies([themeCookie(theme)]);
    for (const path of pages) {
      await admin.goto(path);
      await settled(admin);
      await expect(admin.locator('html')).toHaveClass(new RegExp(`\\b${theme}\\b`));
      for (const line of await seriousViolations(admin)) failures.push(`${theme} ${path}: ${line}`);
    }
  }
  expect(failures, `checked ${pages.length} pages × ${THEMES.length} themes: ${pages.join(', ')}`).toEqual([]);
});

test('the pages on-call staff open on a phone pass axe at 375 px in both themes, and so does sign-in', async ({ asRole, browser }) => {
  test.setTimeout(180_000);
  const failures: string[] = [];
  for (const theme of THEMES) {
    const page = await asRole('viewer', PHONE);
    await page.context().addCookies([themeCookie(theme)]);
    for (const path of ['/', '/quarantine', '/runs', '/inbox']) {
      await page.goto(path);
      await settled(page);
      for (const line of await seriousViolations(page)) failures.push(`${theme} 375px ${path}: ${line}`);
    }
    const signedOut = await browser.newContext({ ...PHONE, baseURL: BASE_URL });
    try {
      await signedOut.addCookies([themeCookie(theme)]);
      const signIn = await signedOut.newPage();
      await signIn.goto('/signin');
      await expect(signIn.getByRole('button', { name: 'Sign in' })).toBeVisible();
      for (const line of await seriousViolations(signIn)) failures.push(`${theme} 375px /signin: ${line}`);
    } finally {
      await signedOut.close();
    }
  }
  expect(failures).toEqual([]);
});
