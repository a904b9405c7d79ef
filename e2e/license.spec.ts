/**
 * The admin license page (/license): it shows the license global setup installed (PRO, signed by this
 * run's TEST vendor key); a forged, an expired and a wrong-key license are each refused with a clear
 * error and the installed one stays in force; a valid one installs and shows; and every other role is
 * refused, on the page and by the server when it calls the API directly with a valid license.
 * The spec ends with the e2e license back in force (a fresh copy of it) and spends no sign-in.
 */
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import type { E2ERole } from './support/accounts';
import { e2eLicenseFile } from './support/license';
import { expectData, trpcMutation, trpcQuery } from './support/trpc';
import { generateKeyPair } from '../server/core/crypto/ed25519';
import { keyIdOf } from '../server/core/crypto/keys';
import { encodeLicenseFile, FEATURES, LICENSE_FORMAT, signLicense } from '../server/core/license';

const DAY = 86_400_000;

interface Status {
  edition: string;
  state: string;
  license: { id: string; licensee: string; testKey: boolean } | null;
}

/** The e2e license with its payload altered after signing: more seats, same signature. */
function forgedLicense(): string {
  const signed = JSON.parse(e2eLicenseFile()) as { payload: string; keyid: string; sig: string };
  const payload = Buffer.from(signed.payload, 'base64').toString('utf8');
  const altered = payload.replace('"seats":50', '"seats":5000');
  if (altered === payload) throw new Error('the e2e license payload did not hold "seats":50');
  return `${JSON.stringify({ ...signed, payload: Buffer.from(altered, 'utf8').toString('base64') }, null, 2)}\n`;
}

/** A well-formed PRO license signed by a key that is not a vendor key. */
function wrongKeyLicense(): string {
  const pair = generateKeyPair();
  const now = Date.now();
  const signed = signLicense(
    { format: LICENSE_FORMAT, id: 'E2E-OTHER-VENDOR', licensee: 'Someone else', edition: 'pro', features: [...FEATURES], seats: 500, issued: new Date(now - DAY).toISOString(), expires: new Date(now + 365 * DAY).toISOString() },
    pair.seed,
    keyIdOf(pair.publicKey),
  );
  if (!signed.ok) throw new Error(signed.message);
  return encodeLicenseFile(signed.value);
}

async function expectInForce(page: Page, licensee: string) {
  const status = page.getByTestId('license-status');
  await expect(page.getByTestId('license-edition')).toHaveText('PRO');
  await expect(page.getByTestId('license-state')).toHaveText('valid');
  await expect(page.getByTestId('license-licensee')).toHaveText(licensee);
  await expect(status).toContainText('(TEST vendor key)');
}

async function installByPasting(page: Page, text: string) {
  await page.getByTestId('license-text').fill(text);
  await page.getByTestId('license-install').click();
}

async function expectRefused(page: Page, message: RegExp, code: string) {
  const alert = page.getByTestId('license-install-form').getByRole('alert');
  await expect(alert).toContainText('The license was not installed');
  await expect(alert).toContainText(message);
  await expect(alert).toContainText(`code: ${code}`);
  await expect(page.getByTestId('license-installed')).toHaveCount(0);
}

test('the license page: shows the license in force, refuses forged, expired and wrong-key licenses and keeps it, installs a valid one', async ({ asRole, apiAs, origin }) => {
  const page = await asRole('admin');
  await page.goto('/license');
  await expect(page.getByTestId('license-test-key')).toContainText('TEST vendor key');
  await expectInForce(page, 'Night Core e2e');
  for (const f of FEATURES) await expect(page.locator(`[data-feature="${f}"]`)).toHaveAttribute('data-on', 'true');

  try {
    // Forged: chosen as a file, the way an admin would.
    await page.getByTestId('license-file').setInputFiles({ name: 'nightcore-license.json', mimeType: 'application/json', buffer: Buffer.from(forgedLicense()) });
    await expect(page.getByTestId('license-text')).toHaveValue(/"sig"/);
    await page.getByTestId('license-install').click();
    await expectRefused(page, /the license was altered or forged/, 'LICENSE_SIGNATURE_INVALID');
    await expectInForce(page, 'Night Core e2e');

    // Expired: genuinely signed by the (test) vendor key, but over.
    await installByPasting(page, e2eLicenseFile({ id: 'E2E-EXPIRED', issued: new Date(Date.now() - 400 * DAY).toISOString(), expires: new Date(Date.now() - 35 * DAY).toISOString() }));
    await expectRefused(page, /License E2E-EXPIRED expired on .*; it was not installed\./, 'LICENSE_EXPIRED');
    await expectInForce(page, 'Night Core e2e');

    // Signed by some other key.
    await installByPasting(page, wrongKeyLicense());
    await expectRefused(page, /which is not the Night Core vendor key/, 'LICENSE_WRONG_KEY');
    await expectInForce(page, 'Night Core e2e');

    // The server agrees after a reload: nothing was installed.
    await page.reload();
    await expectInForce(page, 'Night Core e2e');

    // A valid license installs and shows at once.
    await installByPasting(page, e2eLicenseFile({ id: 'E2E-RENEWED', licensee: 'Night Core e2e (renewed)' }));
    await expect(page.getByTestId('license-installed')).toContainText('Installed:');
    await expectInForce(page, 'Night Core e2e (renewed)');
    await page.reload();
    await expectInForce(page, 'Night Core e2e (renewed)');
  } finally {
    // Put the e2e license back (a fresh copy), so later specs see what global setup installed.
    const admin = await apiAs('admin');
    expectData(await trpcMutation(admin, origin, 'license.install', { text: e2eLicenseFile() }), 'restoring the e2e license');
  }
  await page.reload();
  await expectInForce(page, 'Night Core e2e');
});

const OTHERS: readonly E2ERole[] = ['operator', 'approver', 'viewer'];

test('every other role is refused: no form on the page, and the server refuses a valid license sent to the API directly', async ({ asRole, apiAs, origin }) => {
  const valid = e2eLicenseFile({ id: 'E2E-NOT-ADMIN', licensee: 'Installed by a non-admin' });
  for (const role of OTHERS) {
    const page = await asRole(role);
    await page.goto('/license');
    await expect(page.getByRole('alert').filter({ hasText: 'Only admins' })).toContainText(`Only admins manage the license; your role is ${role}.`);
    await expect(page.getByTestId('license-install-form')).toHaveCount(0);
    await expect(page.getByTestId('license-status')).toHaveCount(0);

    const api = await apiAs(role);
    const install = await trpcMutation(api, origin, 'license.install', { text: valid });
    expect(install.status, `${role} license.install`).toBe(403);
    expect(install.error?.data?.code).toBe('FORBIDDEN');
    const status = await trpcQuery(api, 'license.status');
    expect(status.status, `${role} license.status`).toBe(403);
  }
  const admin = await apiAs('admin');
  const inForce = expectData(await trpcQuery<Status>(admin, 'license.status'), 'license.status');
  expect(inForce).toMatchObject({ edition: 'pro', state: 'valid', license: { id: 'E2E-PRO', licensee: 'Night Core e2e', testKey: true } });
});
