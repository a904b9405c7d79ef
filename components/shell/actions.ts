'use server';
import { cookies } from 'next/headers';
import { THEME_COOKIE, themeFrom } from './theme';

/** Flips the theme; a plain cookie (not a secret), readable by the server on the next render. */
export async function toggleThemeAction(): Promise<void> {
  const jar = await cookies();
  const next = themeFrom(jar.get(THEME_COOKIE)?.value) === 'dark' ? 'light' : 'dark';
  jar.set(THEME_COOKIE, next, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 60 * 60 * 24 * 365 });
}
