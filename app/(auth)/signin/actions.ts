'use server';
import { AuthError } from 'next-auth';
import { signIn } from '@/server/auth';
import { safeCallbackUrl } from '@/server/auth/callback-url';
import { INVALID_CREDENTIALS, attemptsLeftFromCode, attemptsLeftMessage, rateLimitedMessage } from './messages';

export interface SignInState {
  readonly error?: string;
  /** Echoed back so the field keeps its value after a failed attempt (never the password). */
  readonly username?: string;
}

export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const username = String(form.get('username') ?? '').slice(0, 64);
  try {
    await signIn('credentials', {
      username,
      password: String(form.get('password') ?? ''),
      redirectTo: safeCallbackUrl(form.get('callbackUrl')),
    });
  } catch (e) {
    // signIn redirects by throwing; only Auth.js errors are ours to turn into a message.
    if (!(e instanceof AuthError)) throw e;
    const failure = e as AuthError & { code?: string; minutes?: number };
    // Auth.js may wrap the error from authorize (CallbackRouteError, cause.err): look inside too.
    const inner = (e.cause as { err?: { code?: string; minutes?: number } } | undefined)?.err;
    const limited = failure.code === 'rate_limited' ? failure : inner?.code === 'rate_limited' ? inner : undefined;
    if (limited) return { error: rateLimitedMessage(limited.minutes), username };
    const warned = [failure, inner].find((f) => attemptsLeftFromCode(f?.code) !== undefined);
    if (warned) return { error: attemptsLeftMessage(attemptsLeftFromCode(warned.code)!, warned.minutes), username };
    if (failure.type === 'CredentialsSignin') return { error: INVALID_CREDENTIALS, username };
    return { error: 'Sign-in is unavailable right now. Try again, or ask an admin to check the server log.', username };
  }
  return {};
}
