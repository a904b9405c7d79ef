/**
 * Accounts from the console: an admin creates one (the password is shown once), that person signs
 * in, and changes the admin makes — a new role, "sign out everywhere", disabling — end the person's
 * sessions on their very next request, including a copy of the session cookie.
 * Uses its own account so the seeded ones stay as every other spec expects.
 */
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { trpcQuery } from './support/trpc';

const NAME = 'oncall-temp';

async function signInThroughForm(page: Page, username: string, password: string) {
  await page.goto('/signin');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an admin-created account signs in; a role change, sign-out-everywhere and disabling end its sessions at once', async ({ asRole, browser, origin }) => {
  const admin = await asRole('admin');
  await admin.goto('/users');
  await admin.getByTestId('user-username').fill(NAME);
  await admin.getByTestId('user-role').selectOption('operator');
  await admin.getByTestId('create-user-submit').click();
  const panel = admin.getByTestId('generated-password-panel');
  await expect(panel).toContainText(`Password for ${NAME}: shown only now`);
  const password = (await admin.getByTestId('generated-password').textContent())?.trim() ?? '';
  expect(password.length).toBeGreaterThanOrEqual(12);
  await admin.getByTestId('dismiss-password').click();
  await expect(panel).toHaveCount(0);
  const row = admin.locator(`[data-testid="users-row"][data-username="${NAME}"]`);
  await expect(row).toContainText('operator');
  await expect(row).toContainText('active');

  const context = await browser.newContext({ baseURL: origin });
  const copy = await browser.newContext({ baseURL: origin });
  try {
    const person = await context.newPage();
    await signInThroughForm(person, NAME, password);
    await expect(person.getByTestId('current-user')).toHaveText(NAME);
    await person.goto('/modules');
    await expect(person.getByTestId('upload-form')).toBeVisible();
    // Someone copies the session cookie into another browser: it works, for now.
    await copy.addCookies(await context.cookies());
    const thief = await copy.newPage();
    await thief.goto('/modules');
    await expect(thief.getByTestId('current-user')).toHaveText(NAME);

    // Demoted to viewer: the operator session ends at once (the copy too); signing in again gives the new role.
    await row.getByTestId('user-role-select').selectOption('viewer');
    await row.getByTestId('change-role').click();
    // Saved: the list reloads with the new role, so the button has nothing left to change.
    await expect(row.getByTestId('change-role')).toBeDisabled();
    await expect.poll(async () => (await trpcQuery<{ username: string; role: string }[]>(admin.request, 'users.list')).data?.find((u) => u.username === NAME)?.role).toBe('viewer');
    await person.reload();
    await expect(person).toHaveURL(/\/signin/);
    await thief.reload();
    await expect(thief).toHaveURL(/\/signin/);
    await signInThroughForm(person, NAME, password);
    await expect(person.getByTestId('current-user')).toHaveText(NAME);
    await person.goto('/modules');
    await expect(person.getByTestId('page-title')).toHaveText('Modules');
    await expect(person.getByTestId('upload-form')).toHaveCount(0);

    // "Sign out everywhere" from the Users page ends the new session.
    await admin.reload();
    await expect(row.getByTestId('user-active-sessions')).toHaveText('1 active session');
    await row.getByTestId('sign-out-everywhere').click();
    await expect(row.getByTestId('user-active-sessions')).toHaveText('0 active sessions');
    await person.goto('/modules');
    await expect(person).toHaveURL(/\/signin/);
    await signInThroughForm(person, NAME, password);
    await expect(person.getByTestId('current-user')).toHaveText(NAME);

    // Disabled: signed out on the next request, and the password no longer works.
    await row.getByTestId('disable-user').click();
    await row.getByTestId('disable-user-confirm').click();
    await expect(row).toContainText('disabled');
    await person.goto('/modules');
    await expect(person).toHaveURL(/\/signin/);
    await expect(person.getByTestId('current-user')).toHaveCount(0);
    await signInThroughForm(person, NAME, password);
    await expect(person.locator('form').getByRole('alert')).toHaveText('Invalid username or password.');
  } finally {
    await context.close();
    await copy.close();
  }
});
