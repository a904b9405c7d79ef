import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { Card } from '@/components/ui/card';
import { getSessionUser } from '@/server/auth/session';
import { INVALID_CREDENTIALS, attemptsLeftFromCode, attemptsLeftMessage, rateLimitedMessage } from './messages';
import { safeCallbackUrl } from '@/server/auth/callback-url';
import { SignInForm } from './signin-form';

export const metadata: Metadata = { title: 'Sign in' }; // the layout adds " · Night Core"

/** Errors that arrive in the URL when signing in through the Auth.js endpoints directly. */
function errorFromQuery(error: string | undefined, code: string | undefined): string | undefined {
  if (!error) return undefined;
  if (code === 'rate_limited') return rateLimitedMessage();
  const left = attemptsLeftFromCode(code);
  if (left !== undefined) return attemptsLeftMessage(left);
  if (error === 'CredentialsSignin') return INVALID_CREDENTIALS;
  return 'Sign-in failed. Try again.';
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection(); // rendered per request: the CSP nonce is per request
  const params = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const callbackUrl = safeCallbackUrl(first(params.callbackUrl));
  if (await getSessionUser()) redirect(callbackUrl);

  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <h1 className="text-2xl font-semibold text-slate-100">Night Core</h1>
          <p className="mt-1 text-sm text-slate-400">Execution firewall for WebAssembly</p>
        </div>
        <Card title="Sign in" description="Use the account an admin created for you.">
          <SignInForm callbackUrl={callbackUrl} initialError={errorFromQuery(first(params.error), first(params.code))} />
        </Card>
      </div>
    </main>
  );
}
