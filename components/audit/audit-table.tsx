'use client';
/** The audit events of one page as a table (scrolls sideways on phones); payloads expand as JSON text. */
import { Fragment, useState } from 'react';
import Link from 'next/link';
import type { TAuditEvent } from '@/server/api/routers/audit';
import { DecisionBadge } from '@/components/runs/badges';
import { prettyPayload, runDecidedGist, runIdOfSubject } from './payload-text';
import { Time } from '@/components/ui/time';

export function AuditTable({ events }: { readonly events: readonly TAuditEvent[] }) {
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (seq: number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(seq)) next.delete(seq);
      else next.add(seq);
      return next;
    });

  return (
    <div className="relative overflow-x-auto rounded-lg border border-slate-800">
      <table className="w-full min-w-[44rem] text-left text-sm" data-testid="audit-list">
        <caption className="sr-only">Audit events, newest first</caption>
        <thead className="bg-slate-900 text-xs uppercase tracking-wide text-slate-400">
          <tr>
            <th scope="col" className="px-3 py-2">Seq</th>
            <th scope="col" className="px-3 py-2">Time</th>
            <th scope="col" className="px-3 py-2">Actor</th>
            <th scope="col" className="px-3 py-2">Action</th>
            <th scope="col" className="px-3 py-2">Subject</th>
            <th scope="col" className="px-3 py-2">Hash</th>
            <th scope="col" className="px-3 py-2"><span className="sr-only">Payload</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-800">
          {events.map((e) => {
            const expanded = open.has(e.seq);
            const panelId = `audit-payload-${e.seq}`;
            const gist = runDecidedGist(e.action, e.payload);
            const runId = runIdOfSubject(e.subject);
            return (
              <Fragment key={e.seq}>
                <tr data-testid="audit-row" data-seq={e.seq} className="align-top">
                  <td className="px-3 py-2 font-mono tabular-nums text-slate-300">{e.seq}</td>
                  <td className="whitespace-nowrap px-3 py-2 text-slate-300">
                    <Time iso={e.time} />
                  </td>
                  <td className="max-w-48 break-all px-3 py-2 text-slate-100">{e.actor}</td>
                  <td className="px-3 py-2 text-slate-100">
                    <span className="whitespace-nowrap font-mono">{e.action}</span>
                    {gist ? (
                      <span className="mt-1 flex flex-wrap items-center gap-1 text-xs" data-testid="audit-run-gist">
                        <DecisionBadge decision={gist.decision} />
                        <span className="break-all text-slate-200">{gist.module}</span>
                      </span>
                    ) : null}
                  </td>
                  <td className="max-w-64 break-all px-3 py-2 text-slate-300">
                    {runId ? (
                      <Link href={`/runs/${encodeURIComponent(runId)}`} className="text-indigo-300 underline underline-offset-2" data-testid="audit-run-link">
                        {e.subject}
                      </Link>
                    ) : (
                      e.subject
                    )}
                  </td>
                  <td className="px-3 py-2 font-mono text-slate-400" title={e.hash}>{e.hash.slice(0, 12)}</td>
                  <td className="px-1 py-1 text-right">
                    <button
                      type="button"
                      onClick={() => toggle(e.seq)}
                      aria-expanded={expanded}
                      aria-controls={panelId}
                      data-testid="toggle-payload"
                      className="min-h-11 rounded-md px-3 text-sm text-indigo-300 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-300"
                    >
                      {expanded ? 'Hide' : 'Payload'}
                    </button>
                  </td>
                </tr>
                {expanded ? (
                  <tr id={panelId}>
                    <td colSpan={7} className="bg-slate-950 px-3 py-2">
                      <p className="mb-1 font-mono text-xs text-slate-500">prev {e.prevHash} · hash {e.hash}</p>
                      <pre className="max-h-96 overflow-auto whitespace-pre-wrap break-all text-xs text-slate-200" data-testid="audit-payload">
                        {prettyPayload(e.payload)}
                      </pre>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
