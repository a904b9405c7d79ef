/**
 * Issue 15, on-call on a phone: a module that keeps trapping is quarantined by Guardian; on a
 * 375 px phone the quarantine card says which rule and which outcome did it, how long ago, with a
 * count and a filter kept in the URL; Watchtower puts it under "Needs attention"; the navigation
 * and the live feed fit the screen. Also: installable (manifest and icons), and a Run pressed
 * offline says so and never runs later. Screenshots of Watchtower, the denied run and Quarantine
 * at 1280 and 375 px are saved under test-results/screens/ for review (never committed).
 */
import { writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { runDir } from './support/env';
import { compileWat, writeSignedBundle } from './support/modules';
import { trpcMutation, trpcQuery, expectData } from './support/trpc';
import { registerScriptKey, signRelease } from './support/approvals';
import { uploadBundle } from './support/console';

const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 900 } };
const NAME = 'on-call-trapper-with-a-long-module-name';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });

async function noSidewaysScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
}

test('a module Guardian quarantined: the phone shows why, how long ago and how many; Watchtower says it needs attention', async ({ asRole, apiAs, origin }) => {
  test.setTimeout(120_000);
  const bundle = writeSignedBundle(runDir(), await compileWat('(module (memory (export "memory") 1) (func (export "_start") unreachable))'), {
    name: NAME,
    version: '1.0.0',
  });
  expectData(await trpcMutation(await apiAs('admin'), origin, 'keys.add', { publicKey: bundle.publicKeyFile, role: 'publisher', name: 'e2e on-call publisher' }), 'keys.add');
  await uploadBundle(await asRole('operator'), bundle.files, NAME);

  // The default policy quarantines after repeated post-exec failures (the fifth trap).
  const operatorApi = await apiAs('operator');
  let runId = '';
  for (let i = 0; i < 5; i++) {
    const ran = expectData(await trpcMutation<{ record: { runId: string; decision: string } }>(operatorApi, origin, 'modules.run', { name: NAME, args: [] }), 'modules.run');
    expect(ran.record.decision).toBe('deny');
    runId = ran.record.runId;
  }

  for (const [width, options] of [['375', PHONE], ['1280', DESKTOP]] as const) {
    const page = await asRole('approver', options);

    await page.goto('/quarantine');
    const card = page.getByTestId('quarantine-row').filter({ hasText: NAME });
    await expect(card).toBeVisible();
    await expect(card.getByTestId('quarantine-cause')).toContainText('failed after running');
    await expect(card.getByTestId('quarantine-cause')).toContainText('trapped (unreachable)');
    await expect(card.getByTestId('quarantine-age')).toHaveText(/just now|min ago/);
    await expect(card.getByTestId('quarantine-age')).toHaveAttribute('title', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    await expect(page.getByTestId('quarantine-count')).toHaveText(/^\d+ module versions? in quarantine, newest first$/);
    await noSidewaysScroll(page);
    await shot(page, `quarantine-${width}`);

    // The filter lives in the URL: it survives a reload; a filter nothing matches says so.
    await page.getByTestId('quarantine-filter').fill('trapper');
    await expect(page).toHaveURL(/\/quarantine\?q=trapper$/);
    await page.reload();
    await expect(page.getByTestId('quarantine-filter')).toHaveValue('trapper');
    await expect(page.getByTestId('quarantine-row')).toHaveCount(1);
    await page.getByTestId('quarantine-filter').fill('no-such-module-anywhere');
    await expect(page.getByTestId('quarantine-row')).toHaveCount(0);
    await expect(page.getByText('No quarantined module matches')).toBeVisible();

    // Watchtower: what needs attention first, no roadmap text; feed names whole.
    await page.goto('/');
    await expect(page.getByTestId('attention-quarantine')).toContainText(/in quarantine/);
    await expect(page.getByText(/inbox arrives/)).toHaveCount(0);
    const feedName = page.getByTestId('feed-module').filter({ hasText: NAME }).first();
    await expect(feedName).toHaveText(`${NAME}@1.0.0`);
    expect(await feedName.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    // Every navigation link is inside the screen, none cut on the right.
    const nav = page.getByRole('navigation', { name: 'Sections' }).getByRole('link');
    for (const link of await nav.all()) {
      const box = await link.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= Number(width)).toBe(true);
    }
    await noSidewaysScroll(page);
    await shot(page, `watchtower-${width}`);
    // The scripts the first load of Watchtower asks for (the bundle budget is measured from these).
    const scripts = await page.evaluate(() => Array.from(document.querySelectorAll('script[src]'), (s) => new URL((s as HTMLScriptElement).src).pathname));
    await test.info().attach(`watchtower-first-load-scripts-${width}.json`, { body: JSON.stringify(scripts), contentType: 'application/json' });
    writeFileSync(`test-results/screens/watchtower-scripts-${width}.json`, JSON.stringify(scripts));

    await page.goto(`/runs/${encodeURIComponent(runId)}`);
    await expect(page.getByTestId('page-title')).toBeVisible();
    await noSidewaysScroll(page);
    await shot(page, `denied-run-${width}`);
  }

  // Release it so other specs see a clean board.
  const wasm = expectData(await trpcQuery<{ moduleName: string; wasmSha256: string }[]>(await apiAs('approver'), 'quarantine.list'), 'quarantine.list').find((q) => q.moduleName === NAME);
  const approver = await apiAs('approver');
  expectData(await signRelease(approver, origin, await registerScriptKey(approver, origin), wasm!.wasmSha256, 'e2e: done'), 'quarantine.release');
});

test('installable: the manifest and its icons load without a session, and every page links the manifest', async ({ playwright, asRole, origin }) => {
  const anonymous = await playwright.request.newContext({ baseURL: origin });
  try {
    const response = await anonymous.get('/manifest.webmanifest');
    expect(response.status()).toBe(200);
    const manifest = (await response.json()) as { name: string; start_url: string; display: string; icons: { src: string; sizes: string; type: string }[] };
    expect(manifest).toMatchObject({ start_url: '/', display: 'standalone' });
    expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of [...manifest.icons.map((i) => i.src), '/apple-touch-icon.png']) {
      const got = await anonymous.get(icon);
      expect(got.status(), icon).toBe(200);
      expect(got.headers()['content-type'], icon).toMatch(/^image\/(png|svg\+xml)/);
    }
  } finally {
    await anonymous.dispose();
  }
  const page = await asRole('viewer');
  await page.goto('/');
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');
  await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveCount(1);
});

test('a Run pressed offline says it was not sent, and nothing runs when the connection returns', async ({ asRole, apiAs, origin }) => {
  const bundle = writeSignedBundle(runDir(), await compileWat('(module (memory (export "memory") 1) (func (export "_start")))'), { name: 'offline-demo', version: '1.0.0' });
  expectData(await trpcMutation(await apiAs('admin'), origin, 'keys.add', { publicKey: bundle.publicKeyFile, role: 'publisher', name: 'e2e offline publisher' }), 'keys.add');
  const page = await asRole('operator', PHONE);
  await uploadBundle(page, bundle.files, 'offline-demo');
  const runsOf = async () =>
    expectData(await trpcQuery<{ items: unknown[] }>(await apiAs('viewer'), 'runs.list', { module: 'offline-demo' }), 'runs.list').items.length;
  expect(await runsOf()).toBe(0);

  await page.goto('/modules/offline-demo');
  await expect(page.getByTestId('run-module')).toBeVisible();
  await page.context().setOffline(true);
  await expect(page.getByTestId('offline-banner')).toContainText('You are offline.');
  await page.getByTestId('run-module').click();
  await expect(page.getByRole('alert').filter({ hasText: 'You are offline: the run was not sent' })).toBeVisible();
  await expect(page.getByTestId('run-result')).toHaveCount(0);

  await page.context().setOffline(false);
  await expect(page.getByTestId('offline-banner')).toHaveCount(0);
  // The page is back online and has talked to the server again: still no run was recorded.
  await page.reload();
  await expect(page.getByTestId('run-module')).toBeVisible();
  expect(await runsOf()).toBe(0);
  // Pressed again online, it runs once.
  await page.getByTestId('run-module').click();
  await expect(page.getByTestId('run-result')).toBeVisible();
  expect(await runsOf()).toBe(1);
});
