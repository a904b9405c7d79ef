'use client';
/**
 * Export links: plain same-origin GETs that the browser saves as a file (the server streams it
 * and records 'audit.exported'). The current filters go along.
 */
import type { AuditFilterValues } from './audit-filters';

const LINK =
  'inline-flex min-h-11 items-center justify-center rounded-md border border-slate-700 bg-slate-900 px-4 text-sm font-medium text-slate-100 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-slate-400';

export function exportHref(format: 'jsonl' | 'csv', filters: AuditFilterValues): string {
  const params = new URLSearchParams({ format });
  for (const key of ['action', 'actor', 'subject'] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return `/api/audit/export?${params.toString()}`;
}

export function ExportButtons({ filters }: { readonly filters: AuditFilterValues }) {
  const filtered = Boolean(filters.action || filters.actor || filters.subject);
  return (
    <div className="flex flex-wrap gap-2" aria-label="Export">
      <a href={exportHref('jsonl', filters)} download className={LINK} data-testid="export-jsonl">
        Export JSON Lines{filtered ? ' (filtered)' : ''}
      </a>
      <a href={exportHref('csv', filters)} download className={LINK} data-testid="export-csv">
        Export CSV{filtered ? ' (filtered)' : ''}
      </a>
    </div>
  );
}
