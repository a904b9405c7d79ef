/**
 * Issue 15: the sign-in lockout warns before it happens, and an admin can unlock the account from
 * the Users page (the CLI's `nightcore user unlock` is tested in server/cli). Also: the run page's
 * budget table says which side set each limit. At 1280 px and 375 px.
 *
 * Failed sign-ins from loopback count against one address limit (20 per 15 minutes) shared with
 * the other specs: this file spends 5 of them.
 */
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { BASE_URL } from './support/env';
import { ensureHelloUploaded } from './support/console';
import { trpcMutation, trpcQuery, expectData } from './support/trpc';

const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 900 } };
const USER = 'locked-out-e2e';
const PASSWORD = 'locked-out-e2e-pass-0005';

/** Submits the form and waits for the server's answer, so the next attempt never lands while this one is pending. */
async function signInForm(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/signin');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await answered;
}

test('sign-in warns two attempts before the lock; the admin sees the lock and unlocks the account', async ({ browser, asRole, apiAs, origin }) => {
  test.setTimeout(120_000);
  expectData(await trpcMutation(await apiAs('admin'), origin, 'users.create', { username: USER, role: 'viewer', password: PASSWORD }), 'users.create');

  const phone = await browser.newContext({ ...PHONE, baseURL: BASE_URL });
  try {
    const page = await phone.newPage();
    await page.goto('/signin');
    // The form's own alert (Next.js keeps an empty route announcer with role=alert too).
    const alert = page.locator('form').getByRole('alert');
    await signInForm(page, USER, 'not-the-password-1');
    await expect(alert).toHaveText('Invalid username or password.');
    await signInForm(page, USER, 'not-the-password-2');
    await expect(alert).toHaveText('Invalid username or password.');
    await signInForm(page, USER, 'not-the-password-3');
    await expect(alert).toHaveText('Invalid username or password. 2 attempts left before sign-in is paused for 15 minutes.');
    await signInForm(page, USER, 'not-the-password-4');
    await expect(alert).toHaveText('Invalid username or password. 1 attempt left before sign-in is paused for 15 minutes.');
    await signInForm(page, USER, 'not-the-password-5');
    await expect(alert).toHaveText('Invalid username or password.');
    // Locked now: even the right password is refused, with how long to wait.
    await signInForm(page, USER, PASSWORD);
    await expect(alert).toHaveText(/^Too many attempts, try again in 1[45] minutes\.$/);

    for (const options of [PHONE, DESKTOP]) {
      const admin = await asRole('admin', options);
      await admin.goto('/users');
      const row = admin.locator(`[data-testid="users-row"][data-username="${USER}"]`);
      await expect(row.getByTestId('user-locked')).toHaveText(/^sign-in locked for 1[45] more minutes$/);
      await expect(row).toContainText('5 failed sign-ins');
      await expect(row.getByTestId('unlock-user')).toBeVisible();
      if (options === DESKTOP) {
        await row.getByTestId('unlock-user').click();
        await expect(row.getByTestId('user-locked')).toHaveCount(0);
        await expect(row).not.toContainText('failed sign-in');
      }
    }

    // Unlocked: the right password works at once.
    await signInForm(page, USER, PASSWORD);
    await expect(page).toHaveURL(`${BASE_URL}/`);
  } finally {
    await phone.close();
  }

  const audit = expectData(
    await trpcQuery<{ events: { action: string; actor: string; subject: string }[] }>(await apiAs('admin'), 'audit.page', { action: 'user.unlocked' }),
    'audit.page',
  );
  expect(audit.events.map((e) => [e.actor, e.subject])).toContainEqual(['user:admin', `user:${USER}`]);
});

test('the budget table says which side set each limit: the manifest request or the policy cap', async ({ asRole, apiAs, origin }) => {
  const operator = await asRole('operator', PHONE);
  await ensureHelloUploaded(operator);
  const ran = expectData(
    await trpcMutation<{ record: { runId: string; granted: { limitSources: { requested: Record<string, number>; policy: Record<string, number> } } } }>(
      await apiAs('operator'),
      origin,
      'modules.run',
      { name: 'hello', args: [] },
    ),
    'modules.run',
  );
  const { requested, policy } = ran.record.granted.limitSources;
  await operator.goto(`/runs/${ran.record.runId}`);
  for (const limit of ['fuel', 'memoryPages', 'wallMs', 'outputBytes']) {
    const row = operator.locator(`[data-testid="budget-row"][data-limit="${limit}"]`);
    const expected = requested[limit]! === policy[limit]! ? 'both' : requested[limit]! < policy[limit]! ? 'manifest' : 'policy';
    await expect(row).toHaveAttribute('data-source', expected);
    const other = (expected === 'manifest' ? policy[limit]! : requested[limit]!).toLocaleString('en-US');
    await expect(row.getByTestId('budget-source')).toContainText(expected === 'both' ? 'manifest and policy agree' : other);
  }
});
