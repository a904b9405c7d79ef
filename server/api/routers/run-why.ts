/**
 * Why a run was denied, in one value: the first failing rule (post-exec first, since a run that
 * got that far passed pre-exec) with its sentence, and how the execution ended. Pure: it reads how
 * a record was decided (a whole record, or only its verdicts as the runs list reads them) and
 * nothing else, so the console, the quarantine list and tests agree.
 */
import { z } from 'zod';
import type { DecisionVerdicts } from '../../core/guardian/decision-record';
import type { RunOutcome } from '../../core/sandbox/types';

export const ZRunWhySchema = z.object({
  /** The failing rule's id; null when the deny came from no single rule (default deny). */
  rule: z.string().nullable(),
  phase: z.enum(['pre', 'post']),
  /** The rule's own sentence, or the verdict's summary when no rule failed. */
  explanation: z.string(),
  /** How many rules failed in that phase (the sentence names the first). */
  failedRules: z.number().int().min(0),
  /** The execution outcome kind ('denied' when nothing ran). */
  outcome: z.string(),
  /** The outcome in words: "trapped (unreachable)", "ran out of fuel", ... */
  outcomeText: z.string(),
  /** Rules that ran in dry-run in either phase and would have failed: recorded, not the reason for the deny. */
  dryRunWouldFail: z.array(z.string()).optional(),
});
export type TRunWhy = z.infer<typeof ZRunWhySchema>;

export function outcomeText(outcome: RunOutcome | undefined): string {
  if (!outcome) return 'did not run';
  switch (outcome.kind) {
    case 'ok':
      return `exited with code ${outcome.exitCode}`;
    case 'trap':
      return outcome.message ? `trapped (${outcome.trap}: ${outcome.message})` : `trapped (${outcome.trap})`;
    case 'out_of_fuel':
      return 'ran out of fuel';
    case 'timeout':
      return 'hit the wall-clock limit';
    case 'memory_limit':
      return 'hit the memory limit';
    case 'crashed':
      return `crashed (${outcome.message})`;
    case 'denied':
      return `was refused by the sandbox (${outcome.reason})`;
  }
}

/** Null for an allowed run: there is nothing to explain. */
export function whyDenied(record: DecisionVerdicts): TRunWhy | null {
  if (record.decision !== 'deny') return null;
  const verdict = record.post && record.post.decision === 'deny' ? record.post : record.pre;
  const failed = verdict.rules.filter((r) => r.outcome === 'fail');
  const first = failed[0];
  const outcome = record.execution?.outcome;
  return {
    rule: first ? first.id : null,
    phase: verdict.phase,
    explanation: first ? first.explanation : verdict.summary,
    failedRules: failed.length,
    outcome: outcome?.kind ?? 'denied',
    outcomeText: outcomeText(outcome),
    dryRunWouldFail: [...(record.pre.dryRun?.wouldFail ?? []), ...(record.post?.dryRun?.wouldFail ?? [])],
  };
}

/** "Denied because <rule>: <sentence>" plus how it ended after running; one sentence for the top of a run page. */
export function deniedBecause(why: TRunWhy): string {
  const rule = why.rule ? `${why.rule} failed ${why.phase === 'pre' ? 'before running' : 'after running'}` : 'no rule allowed it (default deny)';
  const ran = why.phase === 'post' ? ` The module ${why.outcomeText}.` : ' Nothing ran.';
  const more = why.failedRules > 1 ? ` ${why.failedRules - 1} more ${why.failedRules - 1 === 1 ? 'rule' : 'rules'} failed too.` : '';
  const sentence = /[.!?]$/.test(why.explanation) ? why.explanation : `${why.explanation}.`;
  const dry = why.dryRunWouldFail?.length ? ` In dry-run (not enforced), ${why.dryRunWouldFail.join(', ')} would also have failed.` : '';
  return `Denied because ${rule}: ${sentence}${ran}${more}${dry}`;
}
