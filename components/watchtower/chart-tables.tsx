/**
 * The charts' text alternative: the same numbers as a table, each count a link to those runs.
 * Server-renderable (no hooks), inside <details> so it costs no space until opened.
 */
import Link from 'next/link';
import type { TWatchtowerSummary } from '@/server/api/routers/watchtower';
import { bucketEnd, bucketLabel, runsLink } from './format';

const cell = 'px-2 py-1 text-right tabular-nums';

function CountLink({ n, href, what }: { n: number; href: string; what: string }) {
  if (n === 0) return <>0</>;
  return (
    <Link href={href} className="text-indigo-300 underline underline-offset-2" aria-label={`${n.toLocaleString('en-US')} ${what}`}>
      {n.toLocaleString('en-US')}
    </Link>
  );
}

export function DecisionsTable({ series, bucket }: Pick<TWatchtowerSummary, 'series' | 'bucket'>) {
  return (
    <details className="mt-3 text-sm" data-testid="decisions-table">
      <summary className="inline-flex min-h-11 cursor-pointer items-center text-slate-300">Show as a table</summary>
      <table className="w-full">
        <caption className="sr-only">Allowed and denied runs per {bucket} (UTC)</caption>
        <thead>
          <tr className="text-slate-300">
            <th scope="col" className="px-2 py-1 text-left font-medium">{bucket === 'hour' ? 'Hour (UTC)' : 'Day (UTC)'}</th>
            <th scope="col" className={`${cell} font-medium`}>Allowed</th>
            <th scope="col" className={`${cell} font-medium`}>Denied</th>
          </tr>
        </thead>
        <tbody>
          {series.map((b) => {
            const range = { since: b.start, until: bucketEnd(b.start, bucket) };
            const label = bucketLabel(b.start, bucket);
            return (
              <tr key={b.start} className="border-t border-slate-800 text-slate-200">
                <th scope="row" className="px-2 py-1 text-left font-normal">{label}</th>
                <td className={cell}><CountLink n={b.allowed} href={runsLink({ ...range, decision: 'allow' })} what={`allowed runs at ${label}`} /></td>
                <td className={cell}><CountLink n={b.denied} href={runsLink({ ...range, decision: 'deny' })} what={`denied runs at ${label}`} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </details>
  );
}

export function ThreatTable({ histogram }: { histogram: TWatchtowerSummary['threat']['histogram'] }) {
  return (
    <details className="mt-3 text-sm" data-testid="threat-table">
      <summary className="inline-flex min-h-11 cursor-pointer items-center text-slate-300">Show as a table</summary>
      <table className="w-full">
        <caption className="sr-only">Runs per threat score band</caption>
        <thead>
          <tr className="text-slate-300">
            <th scope="col" className="px-2 py-1 text-left font-medium">Threat score</th>
            <th scope="col" className={`${cell} font-medium`}>Runs</th>
          </tr>
        </thead>
        <tbody>
          {histogram.map((b) => (
            <tr key={b.from} className="border-t border-slate-800 text-slate-200">
              <th scope="row" className="px-2 py-1 text-left font-normal">{b.from}–{b.to}</th>
              <td className={cell}>{b.count.toLocaleString('en-US')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
