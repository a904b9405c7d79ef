/**
 * On-call from a phone: sign in at 375x812 with touch, open Quarantine, find the quarantined module
 * and open it. The module is this spec's own (signed with a key made here) so quarantining it does
 * not change what other specs run; the approver on the phone releases it at the end.
 */
import { test, expect } from './fixtures';
import { ACCOUNTS } from './support/accounts';
import { runDir, stateFileOf } from './support/env';
import { compileWat, writeSignedBundle } from './support/modules';
import { trpcMutation, expectData } from './support/trpc';
import { uploadBundle } from './support/console';

const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const NAME = 'on-call-demo';
const REASON = 'e2e: suspicious, hold it';
const PASSPHRASE = 'e2e phone passphrase';

test('a quarantined module is visible and openable from a phone, and the approver releases it there', async ({ browser, asRole, apiAs, origin }) => {
  const bundle = writeSignedBundle(runDir(), await compileWat('(module (memory (export "memory") 1) (func (export "_start")))'), {
    name: NAME,
    version: '1.0.0',
  });
  const key = { publicKey: bundle.publicKeyFile, role: 'publisher', name: 'e2e phone publisher' };
  expectData(await trpcMutation(await apiAs('admin'), origin, 'keys.add', key), 'keys.add');

  // The operator uploads it and quarantines it by hand from the Quarantine page.
  const operator = await asRole('operator');
  await uploadBundle(operator, bundle.files, NAME);
  await operator.goto('/quarantine');
  await operator.getByTestId('quarantine-target').fill(`${NAME}@1.0.0`);
  await operator.getByTestId('quarantine-reason').fill(REASON);
  await operator.getByTestId('quarantine-module').click();
  await expect(operator.getByRole('status').filter({ hasText: `${NAME} is now in quarantine.` })).toBeVisible();
  // An operator may hold a module but not let it go.
  await expect(operator.getByTestId('quarantine-row').filter({ hasText: NAME })).toBeVisible();
  await expect(operator.getByTestId('release-quarantine')).toHaveCount(0);

  // The phone: a fresh context, signed in through the form by touch.
  const context = await browser.newContext({ ...PHONE, baseURL: origin });
  try {
    const phone = await context.newPage();
    await phone.goto('/quarantine');
    await expect(phone).toHaveURL(/\/signin/);
    await phone.getByLabel('Username').fill(ACCOUNTS.approver.username);
    await phone.getByLabel('Password').fill(ACCOUNTS.approver.password);
    await phone.getByRole('button', { name: 'Sign in' }).tap();
    await expect(phone).toHaveURL(/\/quarantine$/);
    await expect(phone.getByTestId('page-title')).toHaveText('Quarantine');

    const row = phone.getByTestId('quarantine-row').filter({ hasText: NAME });
    await expect(row).toBeVisible();
    await expect(row).toContainText(REASON);
    await expect(row).toContainText('manual');
    await expect(row).toContainText('user:operator');
    // Fits the screen: no sideways scrolling on a phone.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

    await row.getByRole('link', { name: `${NAME}@1.0.0` }).tap();
    await expect(phone).toHaveURL(new RegExp(`/modules/${NAME}$`));
    await expect(phone.getByTestId('page-title')).toContainText(NAME);
    const note = phone.getByTestId('module-quarantine-note');
    await expect(note).toContainText('Quarantined: version 1.0.0 will not run.');
    await expect(note).toContainText(REASON);

    // Back on the list, the approver releases it with a reason; it leaves the list.
    await phone.goto('/quarantine');
    const again = phone.getByTestId('quarantine-row').filter({ hasText: NAME });
    // Big enough to hit with a thumb (44 px, the usual touch-target minimum).
    expect((await again.getByTestId('release-quarantine').boundingBox())?.height).toBeGreaterThanOrEqual(44);
    await again.getByTestId('release-quarantine').tap();
    // First time on this phone: create the approval key (sealed with a passphrase, only its public part sent).
    await again.getByTestId('key-passphrase').fill(PASSPHRASE);
    await again.getByTestId('create-key').tap();
    await again.getByTestId('release-reason').fill('e2e: checked, fine');
    await again.getByTestId('release-passphrase').fill(PASSPHRASE);
    await again.getByTestId('release-confirm').tap();
    // The shipped policy's quorum is one approver: this signature releases it, and the history says who and why.
    await expect(phone.getByTestId('quarantine-row').filter({ hasText: NAME })).toHaveCount(0);
    const history = phone.getByTestId('release-history-row').filter({ hasText: NAME }).first();
    await expect(history).toContainText(`${ACCOUNTS.approver.username} signed`);
    await expect(history).toContainText('e2e: checked, fine');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  } finally {
    await context.close();
  }
});

test('every console section fits a 375 px phone without sideways scrolling', async ({ browser, origin }) => {
  const context = await browser.newContext({ ...PHONE, baseURL: origin, storageState: stateFileOf(runDir(), 'admin') });
  try {
    const phone = await context.newPage();
    for (const path of ['/', '/modules', '/runs', '/quarantine', '/audit', '/policies', '/keys', '/users']) {
      await phone.goto(path);
      await expect(phone.getByTestId('page-title')).toBeVisible();
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} is wider than the phone`).toBeLessThanOrEqual(0);
    }
  } finally {
    await context.close();
  }
});
