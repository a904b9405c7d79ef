/**
 * What a candidate policy would change over recorded runs: counts, the rules responsible, the
 * modules affected, facts that were not recorded, and the changed runs. Presentational (no data
 * fetching), so a proposal page can attach it to any report from `simulation.run`. Every string
 * from the server is rendered as text.
 */
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import type { TSimulationReport } from '@/server/api/routers/simulation';
import { countOf } from '@/components/ui/count';

const TO_TONE = { allow: 'good', deny: 'bad', unknown: 'warn' } as const;

export function SimulationReport({ report }: { readonly report: TSimulationReport }) {
  const c = report.counts;
  return (
    <div className="flex flex-col gap-4 text-sm" data-testid="simulation-report">
      <p>
        Policy <span className="font-mono">{report.policy.name}</span> r{report.policy.revision} over {countOf(report.runs, 'recorded run')}
        {report.range ? ` from ${report.range.from.slice(0, 16).replace('T', ' ')} to ${report.range.to.slice(0, 16).replace('T', ' ')}` : ''}.
      </p>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-5" data-testid="simulation-counts">
        {(
          [
            ['allow → deny', c.allowToDeny, 'allowToDeny'],
            ['deny → allow', c.denyToAllow, 'denyToAllow'],
            ['unchanged', c.unchanged, 'unchanged'],
            ['unknown', c.unknown, 'unknown'],
            ['band changes', c.bandChanges, 'bandChanges'],
          ] as const
        ).map(([label, n, key]) => (
          <div key={key} className="rounded-md border border-slate-800 p-2" data-count={key}>
            <dt className="text-xs text-slate-400">{label}</dt>
            <dd className="text-lg font-semibold">{n}</dd>
          </div>
        ))}
      </dl>
      {c.approximateTimeouts > 0 ? <p className="text-amber-300">{c.approximateTimeouts === 1 ? '1 change comes' : `${countOf(c.approximateTimeouts, 'change')} come`} from a lower wall-clock limit: approximate, run times vary.</p> : null}
      {report.rules.length > 0 ? (
        <section>
          <h3 className="font-medium text-slate-200">Rules responsible</h3>
          <ul className="mt-1 flex flex-col gap-1" data-testid="simulation-rules">
            {report.rules.map((r) => (
              <li key={r.id}>
                <span className="font-mono">{r.id}</span>: newly failing in {r.newlyFailing}, no longer failing in {r.noLongerFailing}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {report.modules.length > 0 ? (
        <section>
          <h3 className="font-medium text-slate-200">Modules affected</h3>
          <ul className="mt-1 flex flex-col gap-1" data-testid="simulation-modules">
            {report.modules.map((m) => (
              <li key={m.name}>
                <span className="font-mono">{m.name}</span>: {countOf(m.runs, 'run')}, {m.allowToDeny} allow → deny, {m.denyToAllow} deny → allow, {m.unknown} unknown, {countOf(m.bandChanges, 'band change')}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {report.notRecorded.length > 0 ? (
        <section>
          <h3 className="font-medium text-amber-300">Not recorded (the simulation did not guess these)</h3>
          <ul className="mt-1 flex flex-col gap-1" data-testid="simulation-not-recorded">
            {report.notRecorded.map((n) => (
              <li key={n.fact}>
                {n.fact}: {countOf(n.runs, 'run')}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {report.changes.length > 0 ? (
        <section>
          <h3 className="font-medium text-slate-200">Changed runs{report.changes.length >= 100 ? ' (first 100)' : ''}</h3>
          <ul className="mt-1 flex flex-col divide-y divide-slate-800" data-testid="simulation-changes">
            {report.changes.map((ch) => (
              <li key={ch.runId} className="flex flex-wrap items-center gap-2 py-1">
                <Link href={`/runs/${encodeURIComponent(ch.runId)}`} className="font-mono text-indigo-300 underline">
                  {ch.module}
                </Link>
                <Badge tone={TO_TONE[ch.from]}>{ch.from}</Badge>→<Badge tone={TO_TONE[ch.to]}>{ch.to}</Badge>
                {ch.bandFrom !== ch.bandTo ? (
                  <span>
                    band {ch.bandFrom} → {ch.bandTo}
                  </span>
                ) : null}
                {ch.rules.length > 0 ? <span className="font-mono text-xs text-slate-400">{ch.rules.join(', ')}</span> : null}
                {ch.unknownBecause ? <span className="text-amber-300">{ch.unknownBecause}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <p className="text-slate-400">No recorded decision would change.</p>
      )}
    </div>
  );
}
