/** The headline numbers of one window. Server-renderable: no hooks, no charts. */
import Link from 'next/link';
import type { TWatchtowerSummary } from '@/server/api/routers/watchtower';
import { oneDecimal, percent, runsLink } from './format';

function Stat({ label, value, hint, testId, href }: { label: string; value: string; hint?: string; testId: string; href?: string }) {
  const body = (
    <>
      <p className="text-sm text-slate-400">{label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums text-slate-50" data-testid={`${testId}-value`}>
        {value}
      </p>
      {hint ? <p className="mt-1 text-xs text-slate-400">{hint}</p> : null}
    </>
  );
  const box = 'block rounded-lg border border-slate-800 bg-slate-900/70 p-4';
  return href ? (
    <Link href={href} className={`${box} min-h-11 hover:border-slate-600 focus-visible:outline-2 focus-visible:outline-indigo-400`} data-testid={testId}>
      {body}
    </Link>
  ) : (
    <div className={box} data-testid={testId}>
      {body}
    </div>
  );
}

export function StatCards({ summary }: { summary: TWatchtowerSummary }) {
  const { runs } = summary;
  return (
    <div className="grid grid-cols-2 gap-3 lg:grid-cols-4" data-testid="watchtower-stats">
      <Stat testId="stat-runs" label="Runs" value={runs.total.toLocaleString('en-US')} hint={`${oneDecimal(runs.perHour)} per hour`} href={runsLink({ since: summary.from })} />
      <Stat
        testId="stat-allow-rate"
        label="Allowed"
        value={percent(runs.allowRate)}
        hint={`${runs.allowed.toLocaleString('en-US')} allowed · ${runs.denied.toLocaleString('en-US')} denied`}
      />
      <Stat testId="stat-quarantined" label="In quarantine" value={summary.quarantinedActive.toLocaleString('en-US')} hint="module versions, now" href="/quarantine" />
      <Stat
        testId="stat-threat"
        label="Average threat score"
        value={oneDecimal(summary.threat.average)}
        hint="out of 100, over the runs in this window"
      />
    </div>
  );
}
