'use client';
/**
 * Create an account. The server generates the password; it is shown here ONCE (it is stored only
 * as a hash) with a copy button, and forgotten when the admin dismisses it.
 */
import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { ErrorState } from '@/components/ui/error-state';
import { ROLES, type Role } from '@/server/core/access/rbac';

export const SELECT =
  'min-h-11 w-full rounded-md border border-slate-700 bg-slate-950 px-3 text-base text-slate-100 focus:outline-2 focus:outline-offset-1 focus:outline-indigo-400';

export function CreateUserForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [shown, setShown] = useState<{ username: string; password: string }>();
  const [copied, setCopied] = useState(false);
  const roleId = useId();
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: (data) => {
        setUsername('');
        setCopied(false);
        if (data.generatedPassword) setShown({ username: data.user.username, password: data.generatedPassword });
        void queryClient.invalidateQueries({ queryKey: trpc.users.list.pathKey() });
      },
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    setShown(undefined);
    create.mutate({ username: username.trim(), role });
  }

  async function copy() {
    if (!shown) return;
    try {
      await navigator.clipboard.writeText(shown.password);
      setCopied(true);
    } catch {
      setCopied(false); // clipboard blocked (e.g. not https): the password stays visible to copy by hand
    }
  }

  return (
    <div className="flex flex-col gap-4">
      <form onSubmit={submit} className="grid gap-4 sm:grid-cols-[1fr_12rem_auto] sm:items-start" aria-label="Create a user" data-testid="create-user-form">
        <Input
          label="Username"
          required
          minLength={3}
          maxLength={32}
          autoComplete="off"
          value={username}
          onChange={(e) => setUsername(e.target.value.toLowerCase())}
          hint="3 to 32 characters: a-z, 0-9, . _ -"
          data-testid="user-username"
        />
        <div className="flex flex-col gap-1.5">
          <label htmlFor={roleId} className="text-sm font-medium text-slate-200">
            Role
          </label>
          <select id={roleId} value={role} onChange={(e) => setRole(e.target.value as Role)} className={SELECT} data-testid="user-role">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" pending={create.isPending} className="sm:mt-7" data-testid="create-user-submit">
          Create user
        </Button>
      </form>
      {create.isError ? <ErrorState title="The user was not created" message={create.error.message} code={errorCode(create.error)} /> : null}
      {shown ? (
        <div role="status" className="rounded-lg border border-amber-700 bg-amber-950/50 p-4 text-sm text-amber-100" data-testid="generated-password-panel">
          <p className="font-medium">
            Password for {shown.username}: shown only now. Give it to them over a safe channel; they should change it.
          </p>
          <div className="mt-3 flex flex-wrap items-center gap-2">
            <code className="break-all rounded bg-slate-950 px-3 py-2 font-mono text-base text-slate-50" data-testid="generated-password">
              {shown.password}
            </code>
            <Button variant="secondary" onClick={copy} data-testid="copy-password">
              {copied ? 'Copied' : 'Copy'}
            </Button>
            <Button variant="ghost" onClick={() => setShown(undefined)} data-testid="dismiss-password">
              Done
            </Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
