'use client';
import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { signInAction, type SignInState } from './actions';

/** The form works without JavaScript too (server action); errors are announced via role="alert". */
export function SignInForm({ callbackUrl, initialError }: { readonly callbackUrl: string; readonly initialError?: string }) {
  const [state, formAction, pending] = useActionState<SignInState, FormData>(signInAction, { error: initialError });
  return (
    <form action={formAction} className="flex flex-col gap-4">
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {state.error ? (
        // role="alert" is announced by screen readers as soon as it appears
        <p role="alert" className="rounded-md border border-rose-800 bg-rose-950/60 px-3 py-2 text-sm text-rose-200">
          {state.error}
        </p>
      ) : null}
      <Input
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        autoCorrect="off"
        spellCheck={false}
        required
        maxLength={64}
        defaultValue={state.username}
        autoFocus
      />
      <Input label="Password" name="password" type="password" autoComplete="current-password" required maxLength={1024} />
      <Button type="submit" pending={pending} className="w-full">
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
