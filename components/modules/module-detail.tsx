'use client';
/**
 * One module: quarantine state first (the on-call path lands here), then the dry-run verdict,
 * threat signals, the run form, versions, drift, the inspector report and recent runs.
 */
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { BandBadge, DecisionBadge } from '@/components/runs/badges';
import { RunList } from '@/components/runs/run-list';
import { ThreatSignals } from '@/components/runs/threat-signals';
import { VerdictRules } from '@/components/runs/verdict-rules';
import { DriftList } from './drift-list';
import { InspectorReport } from './inspector-report';
import { RunForm } from './run-form';
import { Time } from '@/components/ui/time';
import { VersionsTable } from './versions-table';

export function ModuleDetail({ name, canRun }: { readonly name: string; readonly canRun: boolean }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.modules.get.queryOptions({ name }));
  if (detail.isPending) return <p role="status" className="text-sm text-slate-400">Loading {name}…</p>;
  if (detail.isError) {
    const notFound = errorCode(detail.error) === 'NOT_FOUND';
    return (
      <ErrorState
        title={notFound ? `No module named "${name}"` : 'Could not load the module'}
        message={notFound ? 'It may never have been imported. Check the name, or find it under Modules.' : detail.error.message}
        code={errorCode(detail.error)}
        action={notFound ? <Link href="/modules" className="inline-flex min-h-11 items-center text-indigo-300 underline">Go to Modules</Link> : <Button variant="secondary" onClick={() => detail.refetch()}>Try again</Button>}
      />
    );
  }
  const d = detail.data;
  const a = d.assessment;
  const latest = d.versions[0]!;
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone="info">{latest.version}</Badge>
        <Badge>{latest.tenant}</Badge>
        <BandBadge band={a?.threat.band} score={a?.threat.score} />
        {a ? <span className="text-sm text-slate-300">Would run now: <DecisionBadge decision={a.pre.decision} /></span> : null}
      </div>
      {latest.description ? <p className="text-slate-300">{latest.description}</p> : null}

      {d.quarantine ? (
        <div role="note" className="rounded-lg border border-rose-800 bg-rose-950/60 px-4 py-3 text-sm text-rose-100" data-testid="module-quarantine-note">
          <p className="font-medium">Quarantined: version {latest.version} will not run.</p>
          <p className="mt-1">
            {d.quarantine.reason} ({d.quarantine.source.replace('_', '-')}, since <Time iso={d.quarantine.since} />, by {d.quarantine.by})
          </p>
          <p className="mt-2 flex flex-wrap gap-x-4">
            {d.quarantine.runId ? (
              <Link href={`/runs/${encodeURIComponent(d.quarantine.runId)}`} className="inline-flex min-h-11 items-center underline">The run that triggered it</Link>
            ) : null}
            <Link href="/quarantine" className="inline-flex min-h-11 items-center underline">Review in Quarantine</Link>
          </p>
        </div>
      ) : null}

      {canRun ? (
        // Right under the header's "Run this module" (#run): not three screens down.
        <Card id="run" className="scroll-mt-4" title="Run" description="Runs the module through the whole governed path; the decision is recorded in the audit log.">
          <RunForm name={d.name} versions={d.versions.map((v) => v.version)} />
        </Card>
      ) : null}

      <Card title="Dry run: what Guardian would decide now" description="Verification, inspection, grant, threat score and every pre-exec rule, evaluated without running anything or recording a run.">
        {a ? (
          <div className="flex flex-col gap-4">
            <VerdictRules verdict={a.pre} testId="dry-run-verdict" />
            <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
              <dt className="text-slate-400">Signature</dt>
              <dd className={a.verification.ok ? 'text-emerald-300' : 'text-rose-300'}>{a.verification.ok ? 'verifies against the trust store' : `${a.verification.code}: ${a.verification.message}`}</dd>
              <dt className="text-slate-400">Entry</dt>
              <dd className="font-mono text-xs text-slate-200">{a.entry}</dd>
              <dt className="text-slate-400">Capabilities granted</dt>
              <dd className="text-slate-200">{a.granted.capabilities.join(', ') || 'none'} <span className="text-slate-500">(requested: {a.requested.capabilities.join(', ') || 'none'})</span></dd>
            </dl>
          </div>
        ) : (
          <ErrorState title="Cannot assess this module" message={d.assessmentError ?? 'The stored module no longer parses.'} />
        )}
      </Card>

      {a ? <Card title="Threat score"><ThreatSignals threat={a.threat} /></Card> : null}


      <Card title="Recent runs" actions={<Link href={`/runs?module=${encodeURIComponent(d.name)}`} className="inline-flex min-h-11 items-center text-sm text-indigo-300 underline-offset-4 hover:underline">All runs of {d.name}</Link>}>
        {d.recentRuns.length === 0 ? <EmptyState title="Not run yet" description={canRun ? 'Use the Run form at the top of this page.' : 'An operator or admin can run it.'} /> : <RunList runs={d.recentRuns} showModule={false} />}
      </Card>
      <Card title={`Versions (${d.versions.length})`}><VersionsTable versions={d.versions} /></Card>
      <Card title="Hash drift between versions"><DriftList drift={d.drift} /></Card>
      {a ? <Card title={`Inspector report (${a.version})`}><InspectorReport report={a.report} /></Card> : null}
    </div>
  );
}
