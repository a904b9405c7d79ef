'use client';
/**
 * The /license page body: which edition is in force and why, what the license includes, and a form
 * to install a license file. Everything shown is text from the server rendered as text (React
 * escapes it); the licensee name is vendor-signed but still never markup.
 */
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { FEATURE_TEXT, FEATURES, MAX_LICENSE_FILE_BYTES } from '@/server/core/license/features';
import type { TLicenseStatus } from '@/server/api/routers/license';

const STATE_TEXT: Record<TLicenseStatus['state'], string> = {
  none: 'no license installed',
  valid: 'valid',
  expired: 'expired',
  not_yet_valid: 'not yet valid',
  invalid: 'does not verify',
};

export function LicenseView({ initial }: { readonly initial: TLicenseStatus }) {
  const trpc = useTRPC();
  const status = useQuery(trpc.license.status.queryOptions(undefined, { initialData: initial }));
  const s = status.data ?? initial;
  return (
    <div className="flex flex-col gap-6">
      {s.testKeyAccepted ? (
        <p role="note" className="rounded-md border border-amber-700 bg-amber-950 p-3 text-sm text-amber-200" data-testid="license-test-key">
          Non-production installation: licenses signed by the TEST vendor key (NIGHTCORE_LICENSE_TEST_KEY) are accepted here.
        </p>
      ) : null}
      <Card title="Edition" description={s.detail} data-testid="license-status">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-400">Edition</dt>
          <dd>
            <Badge tone={s.edition === 'pro' ? 'good' : 'neutral'} data-testid="license-edition">
              {s.edition === 'pro' ? 'PRO' : 'Community'}
            </Badge>
          </dd>
          <dt className="text-slate-400">License</dt>
          <dd data-testid="license-state">{STATE_TEXT[s.state]}</dd>
          {s.license ? (
            <>
              <dt className="text-slate-400">Licensee</dt>
              <dd data-testid="license-licensee">{s.license.licensee}</dd>
              <dt className="text-slate-400">License id</dt>
              <dd className="font-mono">{s.license.id}</dd>
              <dt className="text-slate-400">Valid</dt>
              <dd>
                {s.license.issued.slice(0, 10)} to {s.license.expires.slice(0, 10)}
              </dd>
              <dt className="text-slate-400">Signed by</dt>
              <dd className="break-all font-mono text-xs">
                {s.license.keyid}
                {s.license.testKey ? ' (TEST vendor key)' : ''}
              </dd>
            </>
          ) : null}
          <dt className="text-slate-400">Users</dt>
          <dd data-testid="license-seats">
            {s.enabledUsers} enabled of {s.seats} allowed
          </dd>
        </dl>
      </Card>
      <Card title="PRO features" description="Community keeps every security guarantee: verification, Guardian, sandbox limits, the audit log and the inbox with one approver.">
        <ul className="flex flex-col gap-2 text-sm" data-testid="license-features">
          {FEATURES.map((f) => {
            const on = s.features.includes(f);
            return (
              <li key={f} className="flex items-center gap-3" data-feature={f} data-on={on}>
                <Badge tone={on ? 'good' : 'neutral'}>{on ? 'on' : 'off'}</Badge>
                <span>{FEATURE_TEXT[f]}</span>
                <span className="font-mono text-xs text-slate-500">{f}</span>
              </li>
            );
          })}
        </ul>
      </Card>
      <Card title="Install a license" description="Choose the license file the vendor sent you (nightcore-license.json). It is verified offline against the vendor key built into Night Core.">
        <InstallForm />
      </Card>
    </div>
  );
}

function InstallForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [fileError, setFileError] = useState<string>();
  const install = useMutation(
    trpc.license.install.mutationOptions({
      onSuccess: (data) => {
        setText('');
        queryClient.setQueryData(trpc.license.status.queryKey(), data);
        void queryClient.invalidateQueries({ queryKey: trpc.license.features.pathKey() });
      },
    }),
  );

  async function choose(e: ChangeEvent<HTMLInputElement>) {
    setFileError(undefined);
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_LICENSE_FILE_BYTES) {
      setFileError(`That file is ${file.size} bytes; a license file is at most ${MAX_LICENSE_FILE_BYTES}.`);
      return;
    }
    setText(await file.text());
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    install.mutate({ text });
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Install a license" data-testid="license-install-form">
      <label className="flex flex-col gap-1.5 text-sm font-medium text-slate-200">
        License file
        <input type="file" accept=".json,application/json" onChange={choose} className="text-sm text-slate-300" data-testid="license-file" />
      </label>
      <label className="flex flex-col gap-1.5 text-sm font-medium text-slate-200">
        Or paste it
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={6}
          maxLength={MAX_LICENSE_FILE_BYTES}
          spellCheck={false}
          className="rounded-md border border-slate-700 bg-slate-950 p-3 font-mono text-xs text-slate-100 focus:outline-2 focus:outline-offset-1 focus:outline-indigo-400"
          data-testid="license-text"
        />
      </label>
      {fileError ? <ErrorState title="Not a license file" message={fileError} /> : null}
      {install.isError ? <ErrorState title="The license was not installed" message={install.error.message} code={errorCode(install.error)} /> : null}
      {install.isSuccess ? (
        <p role="status" className="text-sm text-emerald-300" data-testid="license-installed">
          Installed: {install.data.detail}
        </p>
      ) : null}
      <div>
        <Button type="submit" pending={install.isPending} disabled={text.trim() === ''} data-testid="license-install">
          Install license
        </Button>
      </div>
    </form>
  );
}
