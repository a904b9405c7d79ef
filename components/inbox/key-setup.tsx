'use client';
/**
 * Creating the person's approval key in this browser: the private part is sealed with their
 * passphrase (browser-key.ts) and only the public part is registered with the server. Shared by
 * the inbox's decision panel and the quarantine's release control.
 */
import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import { createBrowserKey, saveKey, MIN_PASSPHRASE, type StoredKey } from './browser-key';

export function KeySetup({ username, stale, onCreated }: { username: string; stale: boolean; onCreated: (key: StoredKey) => void }) {
  const trpc = useTRPC();
  const [passphrase, setPassphrase] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const register = useMutation(trpc.inbox.registerKey.mutationOptions());

  async function createKey(e: FormEvent) {
    e.preventDefault();
    setProblem(null);
    setBusy(true);
    try {
      const created = await createBrowserKey(passphrase);
      await register.mutateAsync({ publicKey: created.publicKey });
      saveKey(window.localStorage, username, created);
      setPassphrase('');
      onCreated(created);
    } catch (x) {
      setProblem((x as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={createKey} className="space-y-2" noValidate>
      <p className="text-sm text-slate-300">
        {stale ? 'The key in this browser is not registered to you on this server. Create a new one.' : 'Create your approval key. Its private part stays in this browser, sealed with your passphrase.'}
      </p>
      <Input label="Passphrase" type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} hint={`At least ${MIN_PASSPHRASE} characters. Nobody can recover it.`} data-testid="key-passphrase" />
      <Button type="submit" pending={busy} data-testid="create-key">
        Create and register my key
      </Button>
      {problem ? <ErrorState title="No key created" message={problem} /> : null}
      {register.isError ? <ErrorState title="Not registered" message={register.error.message} code={errorCode(register.error)} /> : null}
    </form>
  );
}
