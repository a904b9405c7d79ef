'use client';
/**
 * The Watchtower body. The first summary comes from the server (rendered into the HTML, so the
 * cards show at once); it then refreshes every 15 s while the tab is visible. Charts load in the
 * browser only: recharts measures the DOM and would slow the server render for nothing.
 */
import dynamic from 'next/dynamic';
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import type { TWatchtowerSummary } from '@/server/api/routers/watchtower';
import { Card } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { AttentionPanel } from './attention-panel';
import { StatCards } from './stat-cards';
import { DecisionsTable, ThreatTable } from './chart-tables';
import { AuditChainCard } from './audit-chain-card';
import { RiskyModules, TopDeniedRules } from './rankings';
import { LiveFeed } from './live-feed';
import { utcTime } from './format';

const chartFallback = () => <div className="h-64 animate-pulse rounded-md bg-slate-800/50" aria-hidden />;
const DecisionsChart = dynamic(() => import('./charts').then((m) => m.DecisionsChart), { ssr: false, loading: chartFallback });
const ThreatHistogram = dynamic(() => import('./charts').then((m) => m.ThreatHistogram), { ssr: false, loading: chartFallback });

const NoRuns = () => (
  <p className="flex h-32 items-center justify-center rounded-md border border-dashed border-slate-700 text-sm text-slate-300" data-testid="chart-empty">
    No runs in this window.
  </p>
);

export function WatchtowerDashboard({ initial }: { initial: TWatchtowerSummary }) {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.watchtower.summary.queryOptions({ window: initial.window }),
    initialData: initial,
    refetchInterval: 15_000,
    refetchIntervalInBackground: false,
  });
  const s = query.data;
  return (
    <div className="space-y-4">
      {query.isError ? (
        <ErrorState title="The summary could not be refreshed" message="Showing the last numbers received; it retries on its own." code={errorCode(query.error)} />
      ) : null}
      <p className="text-xs text-slate-400" data-testid="window-range">
        {utcTime(s.from, true)} – {utcTime(s.to, true)} · buckets per {s.bucket}
      </p>
      <AttentionPanel summary={s} />
      <StatCards summary={s} />
      <div className="grid gap-4 xl:grid-cols-2">
        <Card title="Decisions" description={`Allowed and denied runs per ${s.bucket} (UTC).`} data-testid="decisions-chart">
          {s.runs.total === 0 ? <NoRuns /> : <DecisionsChart series={s.series} bucket={s.bucket} />}
          <DecisionsTable series={s.series} bucket={s.bucket} />
        </Card>
        <Card title="Threat scores" description="How many runs fell in each 10-point band." data-testid="threat-histogram">
          {s.runs.total === 0 ? <NoRuns /> : <ThreatHistogram histogram={s.threat.histogram} />}
          <ThreatTable histogram={s.threat.histogram} />
        </Card>
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        <TopDeniedRules rules={s.topDeniedRules} since={s.from} />
        <RiskyModules modules={s.riskyModules} since={s.from} />
        <AuditChainCard audit={s.audit} />
      </div>
      <LiveFeed />
    </div>
  );
}
