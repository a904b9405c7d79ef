'use client';
/**
 * Edit the policy as JSON. The server validates it (every bad field by path) and says how it would
 * change the revision in force before anything is submitted; a change that only tightens applies at
 * once, anything that weakens becomes a proposal for approvers. Nothing is judged in the browser.
 */
import { useState } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMutation } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import { ChangesTable } from './changes-table';

const issuesOf = (error: unknown): readonly string[] => (error instanceof TRPCClientError ? ((error.data as { issues?: string[] } | undefined)?.issues ?? []) : []);

function Problem({ title, error }: { title: string; error: unknown }) {
  const issues = issuesOf(error);
  return (
    <ErrorState
      title={title}
      code={errorCode(error)}
      message={
        issues.length > 0 ? (
          <ul className="list-disc pl-5 font-mono text-xs" data-testid="policy-issues">
            {issues.map((i) => (
              <li key={i}>{i}</li>
            ))}
          </ul>
        ) : (
          (error as Error).message
        )
      }
    />
  );
}

export function PolicyEditor({ initial }: { readonly initial: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [text, setText] = useState(initial);
  const [reason, setReason] = useState('');
  const check = useMutation(trpc.policies.check.mutationOptions());
  const propose = useMutation(trpc.policies.propose.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <div className="space-y-3">
      <label className="block text-sm text-slate-300" htmlFor="policy-text">
        Policy JSON (the server numbers the revision)
      </label>
      <textarea
        id="policy-text"
        className="h-96 w-full rounded-md border border-slate-700 bg-slate-950 p-2 font-mono text-xs text-slate-200"
        spellCheck={false}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          check.reset();
          propose.reset();
        }}
        data-testid="policy-editor"
      />
      <Input label="Why (recorded with the change)" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} data-testid="policy-reason" />
      <div className="flex flex-col gap-2 sm:flex-row">
        <Button variant="secondary" onClick={() => check.mutate({ text })} pending={check.isPending} data-testid="policy-check">
          Check
        </Button>
        <Button onClick={() => propose.mutate({ text, reason })} pending={propose.isPending} data-testid="policy-submit">
          Submit change
        </Button>
      </div>
      {check.isError ? <Problem title="The policy is not valid" error={check.error} /> : null}
      {check.isSuccess ? (
        <div className="space-y-2" data-testid="policy-check-result">
          <p className="text-sm text-slate-200">
            Valid. Against the revision in force this is a <strong>{check.data.kind}</strong>
            {check.data.kind === 'weakening' ? ': it will need approval by quorum.' : check.data.kind === 'tightening' ? ': it applies at once.' : '.'}
          </p>
          <ChangesTable changes={check.data.changes} />
        </div>
      ) : null}
      {propose.isError ? <Problem title="Not submitted" error={propose.error} /> : null}
      {propose.isSuccess ? (
        <p className="text-sm text-emerald-300" role="status" data-testid="policy-submitted">
          {propose.data.applied !== null ? (
            `Applied at once as revision ${propose.data.applied} (${propose.data.kind}).`
          ) : (
            <>
              This {propose.data.kind} needs approval:{' '}
              <Link className="underline" href={`/policies/proposals/${propose.data.proposal}`} data-testid="policy-proposal-link">
                proposal {propose.data.proposal}
              </Link>
              .
            </>
          )}
        </p>
      ) : null}
    </div>
  );
}
