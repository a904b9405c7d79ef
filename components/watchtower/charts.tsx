'use client';
/**
 * Recharts views of the summary: decisions over time and the threat score histogram. Loaded only
 * in the browser (see dashboard.tsx) so the server render stays fast; each chart also carries a
 * text summary for screen readers, since a chart alone says nothing to them.
 */
import { useRouter } from 'next/navigation';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TWatchtowerSummary } from '@/server/api/routers/watchtower';
import { bucketEnd, bucketLabel, runsLink } from './format';

// CSS variables, so the light theme (which mirrors the slate scale) flips the axes too.
const AXIS = 'var(--color-slate-400)';
const GRID = 'var(--color-slate-800)';
const ALLOW = 'var(--color-emerald-500)';
const DENY = 'var(--color-rose-500)';
const tooltipStyle = { backgroundColor: 'var(--color-slate-900)', border: '1px solid var(--color-slate-700)', color: 'var(--color-slate-100)' };

export function DecisionsChart({ series, bucket }: { series: TWatchtowerSummary['series']; bucket: TWatchtowerSummary['bucket'] }) {
  const router = useRouter();
  const data = series.map((b) => ({ label: bucketLabel(b.start, bucket), start: b.start, allowed: b.allowed, denied: b.denied }));
  // A click on a bar opens the runs of that bucket with that decision (the table view has the same links).
  const open = (decision: 'allow' | 'deny') => (entry: { payload?: { start?: string } }) => {
    const start = entry.payload?.start;
    if (start) router.push(runsLink({ decision, since: start, until: bucketEnd(start, bucket) }));
  };
  return (
    <div className="h-64 w-full" role="img" aria-label={`Runs per ${bucket}: ${series.reduce((n, b) => n + b.allowed, 0)} allowed, ${series.reduce((n, b) => n + b.denied, 0)} denied`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid stroke={GRID} vertical={false} />
          <XAxis dataKey="label" stroke={AXIS} tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={12} />
          <YAxis stroke={AXIS} tick={{ fontSize: 11 }} allowDecimals={false} />
          <Tooltip contentStyle={tooltipStyle} cursor={{ fill: 'var(--color-slate-800)' }} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="allowed" name="allowed" stackId="d" fill={ALLOW} isAnimationActive={false} cursor="pointer" onClick={open('allow')} />
          <Bar dataKey="denied" name="denied" stackId="d" fill={DENY} isAnimationActive={false} cursor="pointer" onClick={open('deny')} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function ThreatHistogram({ histogram }: { histogram: TWatchtowerSummary['threat']['histogram'] }) {
  const data = histogram.map((b) => ({ label: `${b.from}–${b.to}`, runs: b.count }));
  return (
    <div className="h-64 w-full" role="img" aria-label={`Threat scores: ${histogram.map((b) => `${b.from} to ${b.to}: ${b.count}`).join(', ')}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid stroke={GRID} vertical={false} />
          <XAxis dataKey="label" stroke={AXIS} tick={{ fontSize: 11 }} interval={0} angle={-30} textAnchor="end" height={40} />
          <YAxis stroke={AXIS} tick={{ fontSize: 11 }} allowDecimals={false} />
          <Tooltip contentStyle={tooltipStyle} cursor={{ fill: 'var(--color-slate-800)' }} />
          <Bar dataKey="runs" name="runs" fill="var(--color-indigo-400)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
