'use client';
/** The /modules page body: search and filters, one row per module (its latest version), and the upload panel. */
import { useDeferredValue, useState } from 'react';
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import { BandBadge, QuarantineBadge } from '@/components/runs/badges';
import { shortDigest } from '@/components/runs/digest';
import type { TModuleFilter, TModuleListItem } from '@/server/api/routers/module-views';
import { MODULE_SOURCES, SOURCE_LABEL } from '@/server/core/module/sources';
import { UploadPanel } from './upload-panel';

const selectClass = 'min-h-11 w-full rounded-md border border-slate-700 bg-slate-950 px-3 text-base text-slate-100 focus:outline-2 focus:outline-indigo-400';

export function ModulesView({ canUpload }: { readonly canUpload: boolean }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState('');
  const [tenant, setTenant] = useState('');
  const [source, setSource] = useState<'' | (typeof MODULE_SOURCES)[number]>('');
  const [quarantine, setQuarantine] = useState<'' | 'yes' | 'no'>('');
  // Typing should not fire one query per keystroke while the previous one is still in flight.
  const deferredSearch = useDeferredValue(search);
  const filter: TModuleFilter = {
    search: deferredSearch.trim() || undefined,
    tenant: tenant.trim() || undefined,
    source: source || undefined,
    quarantined: quarantine === '' ? undefined : quarantine === 'yes',
  };
  const modules = useQuery(trpc.modules.list.queryOptions(filter));

  return (
    <div className="flex flex-col gap-6">
      {canUpload ? (
        // On a phone the list comes first (the on-call path); on wider screens the upload panel leads.
        <Card title="Upload a module" description="Verified against the trust store before it is stored; nothing runs on upload." className="order-2 md:order-1">
          <UploadPanel />
        </Card>
      ) : null}
      <Card title="Modules" className="order-1 md:order-2">
        <div className="mb-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-4" role="search" aria-label="Filter modules">
          <Input label="Search by name" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="e.g. hello" maxLength={64} data-testid="modules-search" autoComplete="off" />
          <Input label="Tenant" value={tenant} onChange={(e) => setTenant(e.target.value)} maxLength={64} data-testid="modules-filter-tenant" autoComplete="off" />
          <div className="flex flex-col gap-1.5">
            <label htmlFor="modules-source" className="text-sm font-medium text-slate-200">Source</label>
            <select id="modules-source" className={selectClass} value={source} onChange={(e) => setSource(e.target.value as typeof source)} data-testid="modules-filter-source">
              <option value="">any</option>
              {MODULE_SOURCES.map((s) => (
                <option key={s} value={s}>{SOURCE_LABEL[s]}</option>
              ))}
            </select>
          </div>
          <div className="flex flex-col gap-1.5">
            <label htmlFor="modules-quarantine" className="text-sm font-medium text-slate-200">Quarantine</label>
            <select id="modules-quarantine" className={selectClass} value={quarantine} onChange={(e) => setQuarantine(e.target.value as typeof quarantine)} data-testid="modules-filter-quarantined">
              <option value="">any</option>
              <option value="yes">quarantined only</option>
              <option value="no">not quarantined</option>
            </select>
          </div>
        </div>
        {modules.isPending ? (
          <p role="status" className="text-sm text-slate-400">Loading modules…</p>
        ) : modules.isError ? (
          <ErrorState
            title="Could not load modules"
            message={modules.error.message}
            code={errorCode(modules.error)}
            action={<Button variant="secondary" onClick={() => modules.refetch()}>Try again</Button>}
          />
        ) : modules.data.length === 0 ? (
          <EmptyState
            title={search || tenant || source || quarantine ? 'No module matches these filters' : 'No modules yet'}
            description={search || tenant || source || quarantine ? 'Clear the filters to see every module.' : canUpload ? 'Upload a signed bundle above, or import one with "nightcore import".' : 'An operator or admin uploads modules.'}
          />
        ) : (
          <ul className="flex flex-col divide-y divide-slate-800" data-testid="modules-list">
            {modules.data.map((m) => (
              <ModuleRow key={m.name} m={m} />
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

function ModuleRow({ m }: { readonly m: TModuleListItem }) {
  const signer = m.signers.map((s) => s.name ?? `unknown key ${shortDigest(s.keyid)}`).join(', ') || 'no signer';
  return (
    <li data-testid="modules-row" data-module={m.name} data-quarantined={m.quarantined}>
      <Link
        href={`/modules/${encodeURIComponent(m.name)}`}
        className="grid min-h-11 gap-1 rounded-md px-2 py-3 hover:bg-slate-800/60 focus-visible:outline-2 focus-visible:outline-indigo-400 md:grid-cols-[minmax(0,1.5fr)_minmax(0,1fr)_auto] md:items-center md:gap-4"
      >
        <span className="min-w-0">
          <span className="block truncate font-medium text-slate-100">
            {m.name} <span className="font-normal text-slate-400">{m.latestVersion}</span>
          </span>
          <span className="block truncate text-sm text-slate-400">{m.description || 'no description'}</span>
        </span>
        <span className="min-w-0 text-sm text-slate-300">
          <span className="block truncate">{m.source === 'submission' ? 'approved by' : 'signed by'} {signer}</span>
          <span className="block truncate text-xs text-slate-500">
            {m.tenant} · {SOURCE_LABEL[m.source]} · {m.versionCount} version{m.versionCount === 1 ? '' : 's'}
          </span>
        </span>
        <span className="flex flex-wrap gap-2">
          <BandBadge band={m.threat?.band} score={m.threat?.score} />
          <QuarantineBadge quarantined={m.quarantined} />
        </span>
      </Link>
    </li>
  );
}
