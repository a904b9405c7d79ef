'use client';
/** One run's full decision trace: verdicts with every rule, budget, output, digests, threat, quarantine, replay. */
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { DecisionBadge, OutcomeBadge } from './badges';
import { BudgetTable } from './budget-table';
import { Digest } from './digest';
import { OutputBlock } from './output-block';
import { ReplayButton } from './replay-button';
import { ThreatSignals } from './threat-signals';
import { VerdictRules } from './verdict-rules';
import { CapabilityDenials } from './capability-denials';
import { describeInvocation, describeOutcome } from './denial-words';
import { Time } from '@/components/ui/time';
import { deniedBecause, whyDenied } from '@/server/api/routers/run-why';

export function RunDetail({ id, canReplay }: { readonly id: string; readonly canReplay: boolean }) {
  const trpc = useTRPC();
  const run = useQuery(trpc.runs.get.queryOptions({ id }));
  if (run.isPending) {
    return (
      <p role="status" className="text-sm text-slate-400">
        Loading the run…
      </p>
    );
  }
  if (run.isError) {
    const notFound = errorCode(run.error) === 'NOT_FOUND';
    return (
      <ErrorState
        title={notFound ? 'No such run' : 'Could not load the run'}
        message={notFound ? 'Check the link, or find the run under Runs.' : run.error.message}
        code={errorCode(run.error)}
        action={notFound ? <Link href="/runs" className="inline-flex min-h-11 items-center text-indigo-300 underline">Go to Runs</Link> : <Button variant="secondary" onClick={() => run.refetch()}>Try again</Button>}
      />
    );
  }
  const r = run.data;
  const rec = r.record;
  const why = whyDenied(rec);
  return (
    <div className="flex flex-col gap-6">
      {why ? (
        <p className="rounded-lg border border-rose-800 bg-rose-950 px-4 py-3 text-base text-rose-100" data-testid="denied-because" data-rule={why.rule ?? ''}>
          {deniedBecause(why)}
        </p>
      ) : null}
      <Card>
        <div className="flex flex-wrap items-center gap-2">
          <DecisionBadge decision={r.decision} />
          <OutcomeBadge outcome={r.outcome} />
          <Link href={`/modules/${encodeURIComponent(r.moduleName)}`} className="inline-flex min-h-11 items-center font-medium text-indigo-300 underline-offset-4 hover:underline" data-testid="run-module-link">
            {r.moduleName}@{r.moduleVersion}
          </Link>
        </div>
        <p className="mt-2 text-sm text-slate-200" data-testid="run-outcome-text">
          {rec.execution ? describeOutcome(rec.execution.outcome) : 'Nothing ran: Guardian denied it before execution.'}
          {rec.execution?.outputTruncated ? ' Output was cut at its byte limit.' : ''}
        </p>
        {describeInvocation(rec) ? <p className="mt-1 break-all text-sm text-slate-200" data-testid="run-invocation">{describeInvocation(rec)}</p> : null}
        <dl className="mt-3 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="text-slate-400">Run id</dt>
          <dd><Digest value={r.id} label="run id" /></dd>
          <dt className="text-slate-400">Started</dt>
          <dd className="text-slate-200"><Time iso={r.startedAt} /> by {r.actor}</dd>
          <dt className="text-slate-400">Policy</dt>
          <dd className="text-slate-200">{rec.policy.name}, revision {rec.policy.revision}</dd>
          <dt className="text-slate-400">Sandbox</dt>
          <dd className="text-slate-200" data-testid="run-backend">{rec.backend ? `${rec.backend.kind} backend` : rec.backend === null ? 'none (nothing ran)' : 'not recorded (older run)'}</dd>
          {rec.approval ? (
            <>
              <dt className="text-slate-400">Approval</dt>
              <dd className="text-slate-200">{rec.approval.approved ? 'approved' : 'not approved'} ({rec.approval.source}): {rec.approval.detail}</dd>
            </>
          ) : null}
          <dt className="text-slate-400">Entry and arguments</dt>
          <dd className="break-all font-mono text-xs text-slate-200">{[rec.input.entry, ...rec.input.args].map((a) => JSON.stringify(a)).join(' ')}</dd>
          <dt className="text-slate-400">Seed</dt>
          <dd className="font-mono text-xs text-slate-200">{rec.input.seed}</dd>
          <dt className="text-slate-400">Audit event</dt>
          <dd className="font-mono text-xs text-slate-200">#{r.auditSeq}</dd>
        </dl>
      </Card>

      {rec.quarantine || r.quarantine ? (
        <div role="note" className="rounded-lg border border-rose-800 bg-rose-950/60 px-4 py-3 text-sm text-rose-100" data-testid="run-quarantine-note">
          {rec.quarantine ? <p>This run put the module in quarantine ({rec.quarantine.source.replace('_', '-')}): {rec.quarantine.reason}</p> : null}
          {r.quarantine ? (
            <p className="mt-1">
              The module&apos;s code is quarantined now (since <Time iso={r.quarantine.since} />, by {r.quarantine.by}): it will not run until an approver releases it.{' '}
              <Link href="/quarantine" className="underline">Open Quarantine</Link>
            </p>
          ) : rec.quarantine ? <p className="mt-1">It has been released since.</p> : null}
        </div>
      ) : null}

      {canReplay && rec.execution ? (
        <Card title="Replay" description="Runs the same bytes with the same input, seed and limits, and compares outcome, fuel and output digest.">
          <ReplayButton runId={r.id} />
        </Card>
      ) : null}

      <Card title="Before running (pre-exec)"><VerdictRules verdict={rec.pre} testId="pre-rules" /></Card>
      <Card title="After running (post-exec)">
        {rec.post ? <VerdictRules verdict={rec.post} testId="post-rules" /> : <p className="text-sm text-slate-400">Not evaluated: the module did not run.</p>}
      </Card>
      {rec.execution ? (
        <Card title="Calls the sandbox refused" description="WASI calls outside the grant: answered with an error instead of acting, and judged by the denied_calls rule.">
          <CapabilityDenials denials={rec.execution.capabilityDenials ?? []} />
        </Card>
      ) : null}
      <Card title="Budget: granted and used"><BudgetTable record={rec} /></Card>
      <Card title="Output" description="Shown as plain text exactly as the module wrote it.">
        <div className="grid gap-4 lg:grid-cols-2">
          <OutputBlock label="stdout" output={r.stdout} testId="run-stdout" />
          <OutputBlock label="stderr" output={r.stderr} testId="run-stderr" />
        </div>
      </Card>
      <Card title="Threat score at decision time"><ThreatSignals threat={rec.threat} /></Card>
      <Card title="Digests and signers">
        <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="text-slate-400">Module (wasm)</dt>
          <dd><Digest value={rec.module.wasmSha256} label="wasm digest" /></dd>
          <dt className="text-slate-400">Manifest</dt>
          <dd><Digest value={rec.module.manifestSha256} label="manifest digest" /></dd>
          <dt className="text-slate-400">Policy</dt>
          <dd><Digest value={rec.policy.sha256} label="policy digest" /></dd>
          <dt className="text-slate-400">Stdin ({rec.input.stdinBytes.toLocaleString('en-US')} bytes)</dt>
          <dd><Digest value={rec.input.stdinSha256} label="stdin digest" /></dd>
          {rec.execution ? (
            <>
              <dt className="text-slate-400">Output (compared by replay)</dt>
              <dd><Digest value={rec.execution.outputSha256} label="output digest" /></dd>
            </>
          ) : null}
          <dt className="text-slate-400">Signers</dt>
          <dd className="flex flex-col gap-1">
            {rec.module.signers.length === 0 ? <span className="text-rose-300">none verified ({rec.verification.code ?? 'unsigned'}: {rec.verification.message})</span> : null}
            {rec.module.signers.map((s) => (
              <span key={s.keyid} className="text-slate-200">
                {s.name} ({s.role}) <Digest value={s.keyid} label={`key id of ${s.name}`} />
              </span>
            ))}
          </dd>
        </dl>
      </Card>
    </div>
  );
}
