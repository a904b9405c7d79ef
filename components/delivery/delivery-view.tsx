'use client';
/**
 * The /admin/delivery page body: every destination (webhooks and SIEM sinks) with its state, lag,
 * last success and last error, its recent attempts, and webhook creation. Everything shown comes
 * from the server as text and is rendered as text (React escapes it): URLs, error messages and
 * names are admin- or receiver-controlled.
 */
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import type { TDestinationStatus } from '@/server/api/routers/delivery';
import { AddWebhookForm } from './add-webhook-form';
import { AttemptsList } from './attempts-list';
import { ToggleDestination } from './toggle-destination';

export const STATE_TEXT: Record<TDestinationStatus['state'], { label: string; tone: BadgeTone }> = {
  caught_up: { label: 'caught up', tone: 'good' },
  behind: { label: 'delivering', tone: 'info' },
  failing: { label: 'failing, retrying', tone: 'bad' },
  disabled: { label: 'disabled', tone: 'neutral' },
  unlicensed: { label: 'needs a PRO licence', tone: 'warn' },
};

const KIND_TEXT: Record<TDestinationStatus['kind'], string> = { webhook: 'webhook', syslog: 'syslog', hec: 'HTTP event collector', ocsf: 'OCSF files' };

const when = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));

export function DeliveryView() {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.delivery.status.queryOptions(), refetchInterval: 5_000 });
  return (
    <div className="flex flex-col gap-6">
      <Card title="Destinations" description="Each destination follows the audit log with its own cursor: at-least-once, in order, retried with backoff. Receivers dedupe by seq.">
        {status.isPending ? (
          <p role="status" className="text-sm text-slate-400">
            Loading destinations…
          </p>
        ) : status.isError ? (
          <ErrorState
            title="Could not load the delivery status"
            message={status.error.message}
            code={errorCode(status.error)}
            action={
              <Button variant="secondary" onClick={() => status.refetch()}>
                Try again
              </Button>
            }
          />
        ) : status.data.length === 0 ? (
          <EmptyState title="Nothing is delivered yet" description='Add a webhook below, or a SIEM sink with "nightcore sinks add" (syslog, HTTP event collector, OCSF files).' />
        ) : (
          <ul className="flex flex-col divide-y divide-slate-800" data-testid="delivery-list">
            {status.data.map((d) => (
              <DestinationRow key={d.id} d={d} />
            ))}
          </ul>
        )}
      </Card>
      <Card title="Add a webhook" description="Chosen events are POSTed as JSON, signed with HMAC-SHA256 over a timestamp and the body (Nightcore-Signature header, see docs/webhooks.md).">
        <AddWebhookForm />
      </Card>
    </div>
  );
}

function DestinationRow({ d }: { readonly d: TDestinationStatus }) {
  const state = STATE_TEXT[d.state];
  return (
    <li className="py-4 first:pt-0 last:pb-0" data-testid="delivery-row" data-name={d.name} data-state={d.state}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium text-slate-100">{d.name}</span>
        <Badge tone="info">{KIND_TEXT[d.kind]}</Badge>
        <Badge tone={state.tone}>{state.label}</Badge>
      </div>
      <dl className="mt-2 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
        <dt className="text-slate-400">Sends to</dt>
        <dd className="break-all font-mono text-slate-200">{d.target}</dd>
        {d.events ? (
          <>
            <dt className="text-slate-400">Events</dt>
            <dd className="text-slate-300">{d.events.join(', ')}</dd>
          </>
        ) : null}
        <dt className="text-slate-400">Lag</dt>
        <dd className="text-slate-300" data-testid="delivery-lag">
          {d.lagEvents} events, {d.lagSeconds} s (delivered up to seq {d.cursor} of {d.headSeq})
        </dd>
        <dt className="text-slate-400">Last success</dt>
        <dd className="text-slate-300">{when(d.lastSuccessAt)}</dd>
        {d.lastError ? (
          <>
            <dt className="text-slate-400">Last error</dt>
            <dd className="break-words text-rose-300" data-testid="delivery-error">
              {when(d.lastErrorAt)}: {d.lastError}
              {d.failures > 0 && d.nextAttemptAt ? ` (${d.failures} failed in a row; next try ${when(d.nextAttemptAt)})` : ''}
            </dd>
          </>
        ) : null}
      </dl>
      <details className="mt-2 text-sm">
        <summary className="min-h-11 cursor-pointer py-2 text-slate-300">Recent attempts</summary>
        <AttemptsList name={d.name} limit={10} />
      </details>
      <div className="mt-2 flex flex-wrap items-center gap-3">
        <ToggleDestination name={d.name} enabled={d.enabled} />
        <Link href={`/admin/delivery/${encodeURIComponent(d.name)}`} className="min-h-11 py-2 text-sm text-indigo-300 underline">
          Delivery log
        </Link>
      </div>
    </li>
  );
}
