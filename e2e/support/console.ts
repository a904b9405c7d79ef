/**
 * Steps several specs share, done through the console's own UI (so the UI is what is tested),
 * each one idempotent because specs run in any order against one server.
 */
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { trpcQuery } from './trpc';

export const HELLO_BUNDLE_FILES = ['module.wasm', 'nightcore.json', 'nightcore.sig.json'].map((f) => join('examples', 'hello-bundle', f));

/** Uploads bundle files on /modules as the page's (operator or admin) user and waits for the row. */
export async function uploadBundle(page: Page, files: readonly string[], moduleName: string, version = '1.0.0'): Promise<void> {
  await page.goto('/modules');
  await page.getByTestId('upload-input').setInputFiles([...files]);
  // The form lists what was chosen before anything is sent.
  await expect(page.getByTestId('upload-selected').getByRole('listitem')).toHaveCount(files.length);
  await page.getByTestId('upload-submit').click();
  await expect(page.getByTestId('upload-success')).toContainText(`Imported ${moduleName}@${version}`);
  await expect(page.locator(`[data-testid="modules-row"][data-module="${moduleName}"]`)).toBeVisible();
}

export async function moduleExists(page: Page, name: string): Promise<boolean> {
  const listed = await trpcQuery<{ name: string }[]>(page.request, 'modules.list');
  return (listed.data ?? []).some((m) => m.name === name);
}

/** The example bundle, uploaded once per run by whichever spec needs it first. */
export async function ensureHelloUploaded(operatorPage: Page): Promise<void> {
  if (await moduleExists(operatorPage, 'hello')) return;
  await uploadBundle(operatorPage, HELLO_BUNDLE_FILES, 'hello');
}

/** An admin registers a publisher key on /keys (the trust store) and sees it listed as active. */
export async function trustKeyOnKeysPage(adminPage: Page, publicKeyFile: string, keyid: string, name: string): Promise<void> {
  await adminPage.goto('/keys');
  await adminPage.getByTestId('key-public').fill(publicKeyFile.trim());
  await adminPage.getByTestId('key-name').fill(name);
  await adminPage.getByTestId('key-role').selectOption('publisher');
  await adminPage.getByTestId('add-key-submit').click();
  const row = adminPage.locator(`[data-testid="keys-row"][data-keyid="${keyid}"]`);
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-status', 'active');
  await expect(row).toContainText(name);
}
