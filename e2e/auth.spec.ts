/** Signing in and out through the real form, the one error message, and the sign-in gate. */
import { test, expect } from './fixtures';
import { ACCOUNTS } from './support/accounts';

const INVALID = 'Invalid username or password.';

test.describe('sign-in', () => {
  test('signs in through the form, shows who is signed in, and signs out', async ({ page }) => {
    const { username, password } = ACCOUNTS.operator;
    await page.goto('/signin');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Back on the same host the browser used (not the server's own name), or the cookie would be lost.
    await expect(page).toHaveURL(new URL('/', page.url()).href);
    expect(new URL(page.url()).host).toBe(new URL(test.info().project.use.baseURL!).host);
    await expect(page.getByTestId('current-user')).toHaveText(username);
    // The session is real on the server, not just a page that rendered.
    const session = await (await page.request.get('/api/auth/session')).json();
    expect(session.user).toMatchObject({ name: username, role: 'operator' });
    // Page scripts cannot read the session cookie, and other sites' forms do not send it.
    const cookie = (await page.context().cookies()).find((c) => c.name === 'authjs.session-token');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/signin/);
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    expect(await (await page.request.get('/api/auth/session')).json()).toBeNull();
    // Signed out means the console is closed again.
    await page.goto('/');
    await expect(page).toHaveURL(/\/signin/);
  });

  test('a wrong password and an unknown user get the same message, and no session', async ({ page }) => {
    const messages: string[] = [];
    for (const [username, password] of [
      [ACCOUNTS.viewer.username, 'not-the-right-password'],
      ['nobody-by-this-name', 'not-the-right-password'],
    ] as const) {
      await page.goto('/signin');
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // Next.js adds its own (empty) role="alert" route announcer: pick the form's.
      const alert = page.locator('form').getByRole('alert');
      await expect(alert).toHaveText(INVALID);
      messages.push((await alert.textContent()) ?? '');
      // Still on the sign-in page, the username kept, the password not echoed back.
      await expect(page).toHaveURL(/\/signin/);
      await expect(page.getByLabel('Username')).toHaveValue(username);
      await expect(page.getByLabel('Password')).toHaveValue('');
      await expect(page.getByTestId('current-user')).toHaveCount(0);
    }
    // Word for word the same: the page never tells whether the account exists.
    expect(messages[0]).toBe(messages[1]);
    expect(messages[0]).not.toMatch(/exist|unknown|not found|no such/i);
    expect(await (await page.request.get('/api/auth/session')).json()).toBeNull();
  });

  test('a signed-out visit to /runs redirects to the sign-in page and back after signing in', async ({ page }) => {
    const response = await page.goto('/runs');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fruns$/);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByTestId('current-user')).toHaveCount(0);

    await page.getByLabel('Username').fill(ACCOUNTS.viewer.username);
    await page.getByLabel('Password').fill(ACCOUNTS.viewer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/runs$/);
    await expect(page.getByTestId('current-user')).toHaveText(ACCOUNTS.viewer.username);
  });

  for (const target of ['https://evil.example/steal', '//evil.example/steal', '/\\evil.example/steal']) {
    test(`after sign-in, callbackUrl ${target} does not leave the site`, async ({ page, baseURL }) => {
      await page.goto(`/signin?callbackUrl=${encodeURIComponent(target)}`);
      await page.getByLabel('Username').fill(ACCOUNTS.viewer.username);
      await page.getByLabel('Password').fill(ACCOUNTS.viewer.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('current-user')).toHaveText(ACCOUNTS.viewer.username);
      expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
      expect(new URL(page.url()).pathname).toBe('/');
    });
  }

  test('pages carry the security headers: per-request CSP nonce, no framing', async ({ request }) => {
    const first = await request.get('/signin');
    const second = await request.get('/signin');
    const csp = first.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    // A nonce that repeats is no nonce.
    expect(second.headers()['content-security-policy']).not.toContain(`'nonce-${nonce}'`);
    expect(first.headers()['x-frame-options']).toBe('DENY');
    expect(first.headers()['x-content-type-options']).toBe('nosniff');
    // Next.js stamps the same nonce on its inline scripts, so they are the only ones allowed to run.
    const html = await first.text();
    expect(html).toContain(`nonce="${nonce}"`);
  });
});
