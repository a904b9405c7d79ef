/** `policy simulate` and `policy recommend`: what a candidate policy would change over recorded runs (PRO, docs/simulation.md). */
import { loadPolicyFile } from '../services/policy-store';
import { recommendFromHistory, simulateOverHistory } from '../services/simulation';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulationReport } from '../core/guardian/simulate';
import type { Services } from '../services/index';
import type { Command, CommandContext } from './command';
import { optionalString } from './command';
import { EXIT_OK, UsageError, reject, type Out } from './io';
import { withServices } from './services';

export interface PolicyAnalysisDeps {
  readonly withServices: <T>(values: CommandContext['values'], fn: (s: Services) => T | Promise<T>) => Promise<T>;
}

const DEFAULT_DEPS: PolicyAnalysisDeps = { withServices };

/** --last and --since, checked before anything opens. */
export function windowOf(values: CommandContext['values']): { last?: number; since?: Date } {
  const lastText = optionalString(values, 'last');
  const sinceText = optionalString(values, 'since');
  const last = lastText === undefined ? undefined : Number(lastText);
  if (lastText !== undefined && (!/^\d+$/.test(lastText) || !Number.isSafeInteger(last))) throw new UsageError('--last must be a whole number of runs');
  const since = sinceText === undefined ? undefined : new Date(sinceText);
  if (since && Number.isNaN(since.getTime())) throw new UsageError('--since must be a date or time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z');
  return { ...(last !== undefined ? { last } : {}), ...(since ? { since } : {}) };
}

export function printSimulation(out: Out, r: SimulationReport): void {
  const c = r.counts;
  out.line(`policy ${r.policy.name} r${r.policy.revision} over ${r.runs} recorded run(s)${r.range ? ` from ${r.range.from} to ${r.range.to}` : ''}:`);
  out.line(`  allow → deny: ${c.allowToDeny}   deny → allow: ${c.denyToAllow}   unchanged: ${c.unchanged}   unknown: ${c.unknown}   threat band changes: ${c.bandChanges}`);
  if (c.approximateTimeouts > 0) out.line(`  ${c.approximateTimeouts} change(s) come from a lower wall-clock limit: approximate (run times vary)`);
  if (r.rules.length > 0) {
    out.line('rules responsible:');
    for (const rule of r.rules) out.line(`  ${rule.id.padEnd(24)} newly failing in ${rule.newlyFailing}, no longer failing in ${rule.noLongerFailing}`);
  }
  if (r.modules.length > 0) {
    out.line('modules affected:');
    for (const m of r.modules) out.line(`  ${m.name.padEnd(24)} ${m.runs} run(s): ${m.allowToDeny} allow → deny, ${m.denyToAllow} deny → allow, ${m.unknown} unknown, ${m.bandChanges} band change(s)`);
  }
  if (r.notRecorded.length > 0) {
    out.line('not recorded (the simulation did not guess these):');
    for (const n of r.notRecorded) out.line(`  ${n.fact}: ${n.runs} run(s)`);
  }
}

export function createPolicyAnalysisCommands(deps: PolicyAnalysisDeps = DEFAULT_DEPS) {
  const policySimulate: Command = {
    name: 'policy simulate',
    summary: 'judge recorded runs again under a candidate policy: which decisions would change (PRO)',
    usage: 'nightcore policy simulate <file> [--last N] [--since T] [--json]',
    options: { last: { type: 'string' }, since: { type: 'string' } },
    optionHelp: { last: 'the newest N runs (default 1000, at most 200000)', since: 'only runs started at or after this time (ISO 8601)' },
    positionals: 1,
    run({ values, positionals, out }) {
      const window = windowOf(values);
      const loaded = loadPolicyFile(positionals[0]!);
      if (!loaded.ok) return reject(out, loaded);
      return deps.withServices(values, (s) => {
        const report = simulateOverHistory(s, loaded.value.policy, window);
        if (!report.ok) return reject(out, report);
        out.data({ ok: true, ...report.value });
        printSimulation(out, report.value);
        return EXIT_OK;
      });
    },
  };
  const policyRecommend: Command = {
    name: 'policy recommend',
    summary: 'propose tighter limits and grants from recorded runs, with evidence and simulation (PRO; applies nothing)',
    usage: 'nightcore policy recommend [--last N] [--since T] [--out DIR] [--json]',
    options: { last: { type: 'string' }, since: { type: 'string' }, out: { type: 'string' } },
    optionHelp: {
      last: 'learn from the newest N runs (default 1000, at most 200000)',
      since: 'only runs started at or after this time (ISO 8601)',
      out: 'write each candidate policy to DIR/<id>.json, to submit as a proposal',
    },
    positionals: 0,
    run({ values, out }) {
      const window = windowOf(values);
      const dir = optionalString(values, 'out');
      return deps.withServices(values, (s) => {
        const recs = recommendFromHistory(s, window);
        if (!recs.ok) return reject(out, recs);
        const files: string[] = [];
        if (dir) {
          mkdirSync(dir, { recursive: true });
          for (const r of recs.value) {
            const file = join(dir, `${r.id}.json`);
            writeFileSync(file, `${JSON.stringify(r.candidate, null, 2)}\n`, { flag: 'wx' });
            files.push(file);
          }
        }
        out.data({ ok: true, recommendations: recs.value, files });
        if (recs.value.length === 0) out.line('no recommendation: nothing in the recorded runs supports a tighter limit or grant.');
        recs.value.forEach((r, i) => {
          out.line(`${i + 1}. ${r.title}`);
          out.line(`   ${r.explanation}`);
          const c = r.simulation.counts;
          out.line(`   simulated over ${r.simulation.runs} run(s): ${c.allowToDeny} allow → deny, ${c.denyToAllow} deny → allow, ${c.unknown} unknown`);
          if (files[i]) out.line(`   candidate: ${files[i]} (nothing applied; submit it as a proposal to adopt it)`);
        });
        return EXIT_OK;
      });
    },
  };
  return { policySimulate, policyRecommend };
}

export const POLICY_ANALYSIS_COMMANDS: readonly Command[] = Object.values(createPolicyAnalysisCommands());
