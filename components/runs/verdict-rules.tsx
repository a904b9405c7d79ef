/** A Guardian verdict: its summary and every rule with its outcome and plain-language explanation. */
import type { Verdict } from '@/server/core/guardian/verdict';
import { DecisionBadge, RuleBadge } from './badges';

export function VerdictRules({ verdict, testId }: { readonly verdict: Verdict; readonly testId?: string }) {
  return (
    <div data-testid={testId}>
      <div className="flex flex-wrap items-center gap-2">
        <DecisionBadge decision={verdict.decision} />
        <p className="text-sm text-slate-200">{verdict.summary}</p>
      </div>
      <p className="mt-1 text-xs text-slate-400">
        Policy {verdict.policy.name}, revision {verdict.policy.revision}
      </p>
      {verdict.dryRun ? (
        <p className="mt-1 text-sm text-amber-300" data-testid="dry-run-note">
          {verdict.dryRun.policy ? 'The whole policy was in dry-run: no rule was enforced. ' : `In dry-run (recorded, not enforced): ${verdict.dryRun.rules.join(', ')}. `}
          {verdict.dryRun.wouldFail.length > 0
            ? `Enforced, ${verdict.dryRun.wouldFail.join(', ')} would have denied this run.`
            : 'Every dry-run rule passed.'}
        </p>
      ) : null}
      <ul className="mt-3 flex flex-col divide-y divide-slate-800 rounded-md border border-slate-800">
        {verdict.rules.map((r) => (
          <li key={r.id} className="flex flex-col gap-1 px-3 py-2 sm:flex-row sm:items-start sm:gap-3" data-rule={r.id} data-outcome={r.outcome}>
            <div className="flex shrink-0 items-center gap-2 sm:w-64">
              <RuleBadge outcome={r.outcome} dryRun={r.dryRun === true} />
              <span className="font-mono text-xs text-slate-300">{r.id}</span>
              <span className="text-xs text-slate-500">{r.severity}</span>
            </div>
            <p className={r.outcome === 'skip' ? 'text-sm text-slate-500' : 'text-sm text-slate-200'}>{r.explanation}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
