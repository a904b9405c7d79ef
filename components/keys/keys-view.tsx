'use client';
/** The /keys page body: trusted keys with their status; admins add and revoke. */
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import type { TTrustKey } from '@/server/api/routers/keys';
import { AddKeyForm } from './add-key-form';
import { RevokeKey } from './revoke-key';

export function KeysView({ canManage }: { readonly canManage: boolean }) {
  const trpc = useTRPC();
  const keys = useQuery(trpc.keys.list.queryOptions());

  return (
    <div className="flex flex-col gap-6">
      {canManage ? (
        <Card title="Add a trusted key" description="Only keys registered here can make a module trusted. A key that travels with a module is never trusted by itself.">
          <AddKeyForm />
        </Card>
      ) : null}
      <Card title="Trusted keys">
        {keys.isPending ? (
          <p role="status" className="text-sm text-slate-400">
            Loading keys…
          </p>
        ) : keys.isError ? (
          <ErrorState
            title="Could not load the trust store"
            message={keys.error.message}
            code={errorCode(keys.error)}
            action={
              <Button variant="secondary" onClick={() => keys.refetch()}>
                Try again
              </Button>
            }
          />
        ) : keys.data.length === 0 ? (
          <EmptyState
            title="No keys are trusted yet"
            description={canManage ? 'Nothing can run until a publisher key is added. Create one with "nightcore keygen" and add its .pub file above.' : 'Nothing can run until an admin adds a publisher key.'}
          />
        ) : (
          <ul className="flex flex-col divide-y divide-slate-800" data-testid="keys-list">
            {keys.data.map((k) => (
              <KeyRow key={k.keyid} k={k} canManage={canManage} />
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

function KeyRow({ k, canManage }: { readonly k: TTrustKey; readonly canManage: boolean }) {
  const revoked = k.status === 'revoked';
  return (
    <li className="py-4 first:pt-0 last:pb-0" data-testid="keys-row" data-keyid={k.keyid} data-status={k.status}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium text-slate-100">{k.name}</span>
        <Badge tone="info">{k.role}</Badge>
        <Badge tone={revoked ? 'bad' : 'good'}>{revoked ? 'revoked' : 'active'}</Badge>
      </div>
      <dl className="mt-2 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
        <dt className="text-slate-400">Key id</dt>
        <dd className="break-all font-mono text-slate-200">{k.keyid}</dd>
        <dt className="text-slate-400">Added</dt>
        <dd className="text-slate-300">
          <time dateTime={k.addedAt}>{k.addedAt}</time> by {k.addedBy}
        </dd>
        {revoked ? (
          <>
            <dt className="text-slate-400">Revoked</dt>
            <dd className="text-slate-300">
              {k.revokedAt ? <time dateTime={k.revokedAt}>{k.revokedAt}</time> : 'unknown time'} by {k.revokedBy ?? 'unknown'}: {k.revokeReason}
            </dd>
          </>
        ) : null}
      </dl>
      {canManage && !revoked ? (
        <div className="mt-3">
          <RevokeKey keyid={k.keyid} name={k.name} />
        </div>
      ) : null}
    </li>
  );
}
