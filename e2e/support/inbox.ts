/**
 * Agent Inbox steps shared by the inbox specs: an agent's REST submission (multipart, Bearer token),
 * and signing a person in on a fresh phone-sized browser context through the form (their own
 * browser, so their approval key lives only there).
 */
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

export interface Submitted {
  readonly id: string;
  readonly wasmSha256: string;
  readonly manifestSha256: string;
}

/** POSTs a module to /api/v1/submissions as the agent; answers the HTTP status and the body. */
export async function submitAsAgent(origin: string, token: string, wasm: Uint8Array, manifest: object, purpose: string) {
  const form = new FormData();
  form.append('module', new Blob([new Uint8Array(wasm)]), 'module.wasm');
  form.append('purpose', purpose);
  form.append('manifest', JSON.stringify(manifest));
  const res = await fetch(new URL('/api/v1/submissions', origin), { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: (await res.json()) as { submission?: Submitted; error?: { code: string; issues?: string[] } } };
}

/** A new phone context: opens `path`, is sent to the sign-in form, signs in by touch, lands back on `path`. */
export async function signInOnPhone(browser: Browser, origin: string, path: string, username: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ...PHONE, baseURL: origin });
  const page = await context.newPage();
  await page.goto(path);
  await expect(page).toHaveURL(/\/signin/);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  return { context, page };
}
