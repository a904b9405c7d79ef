'use client';
/** The /audit page body: filters, a keyset-paged table (newest first), verify and export. */
import { useState } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { AuditFilters, type AuditFilterValues } from './audit-filters';
import { AuditTable } from './audit-table';
import { ExportButtons } from './export-buttons';
import { ReportDownload } from './report-download';
import { VerifyChain } from './verify-chain';
import { WitnessStatus } from './witness-status';
import { ProveEvent } from './prove-event';

const PAGE_SIZE = 50;
type Cursor = { readonly afterSeq?: number; readonly beforeSeq?: number };

export function AuditLogView({ canExport }: { readonly canExport: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [filters, setFilters] = useState<AuditFilterValues>({});
  const [cursor, setCursor] = useState<Cursor>({});
  const actions = useQuery(trpc.audit.actions.queryOptions(undefined, { staleTime: Infinity }));
  const page = useQuery({ ...trpc.audit.page.queryOptions({ ...filters, ...cursor, limit: PAGE_SIZE }), placeholderData: keepPreviousData });

  const events = page.data?.events ?? [];
  const applyFilters = (next: AuditFilterValues) => {
    setFilters(next);
    setCursor({}); // a new filter starts at the newest event
  };
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.audit.page.pathKey() });

  return (
    <div className="flex min-w-0 flex-col gap-6">
      {canExport ? (
        <Card title="Chain integrity" description="Re-reads the whole log and checks that nothing in it was changed, removed or reordered.">
          <VerifyChain onFinished={refresh} />
        </Card>
      ) : null}

      {canExport ? (
        <Card
          title="Compliance report"
          description="A period's runs, denials, quarantines, key, policy and access changes, with the chain's status and proof material: a .zip with the report and its signature (nightcore report verify)."
        >
          <ReportDownload />
        </Card>
      ) : null}

      <Card title="Prove an event" description="An inclusion proof against the newest signed checkpoint, checked in your browser.">
        <ProveEvent />
      </Card>

      <Card title="Witnesses" description="Independent servers that cosign each checkpoint only if it extends the one they saw before.">
        <WitnessStatus />
      </Card>

      <Card
        title="Events"
        description="Newest first. Every entry is hash-chained to the one before it."
        actions={canExport ? <ExportButtons filters={filters} /> : null}
      >
        <div className="flex min-w-0 flex-col gap-4">
          <AuditFilters actions={actions.data ?? []} value={filters} onChange={applyFilters} />
          {page.data && page.data.readableFromSeq > 1 ? (
            <p className="text-sm text-slate-400" data-testid="audit-window">
              Showing events from seq {page.data.readableFromSeq.toLocaleString('en-US')} on. Older events, and verifying the whole chain, need the export
              permission (approvers and admins): reading the whole history is an export.
            </p>
          ) : null}
          {page.isPending ? (
            <p className="text-sm text-slate-400" role="status">
              Loading events…
            </p>
          ) : page.isError ? (
            <ErrorState
              title="Could not load audit events"
              message={page.error.message}
              code={errorCode(page.error)}
              action={
                <Button variant="secondary" onClick={() => page.refetch()}>
                  Try again
                </Button>
              }
            />
          ) : events.length === 0 ? (
            <EmptyState
              title={filters.action || filters.actor || filters.subject ? 'No events match these filters' : 'The audit log is empty'}
              description={filters.action || filters.actor || filters.subject ? 'Actor and subject must match exactly (for example user:alice). Clear the filters to see everything.' : 'Events appear here as soon as anything happens: sign-ins, uploads, runs, key changes.'}
            />
          ) : (
            <>
              <AuditTable events={events} />
              <nav aria-label="Audit pages" className="flex flex-wrap items-center justify-between gap-2">
                <div className="flex gap-2">
                  <Button variant="secondary" disabled={!page.data?.hasNewer} onClick={() => setCursor({})} data-testid="page-newest">
                    Newest
                  </Button>
                  <Button variant="secondary" disabled={!page.data?.hasNewer} onClick={() => setCursor({ afterSeq: events[0]!.seq })} data-testid="page-newer">
                    ← Newer
                  </Button>
                </div>
                <p className="text-sm text-slate-400" aria-live="polite">
                  seq {events[0]!.seq} – {events[events.length - 1]!.seq}
                  {page.isFetching ? ' (updating…)' : ''}
                </p>
                <Button variant="secondary" disabled={!page.data?.hasOlder} onClick={() => setCursor({ beforeSeq: events[events.length - 1]!.seq })} data-testid="page-older">
                  Older →
                </Button>
              </nav>
            </>
          )}
        </div>
      </Card>
    </div>
  );
}
