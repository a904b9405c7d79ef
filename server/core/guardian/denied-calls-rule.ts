/**
 * The `denied_calls` post-exec rule: the roadmap's sandbox escape detection. The WASI host answers a
 * call outside the grant with an errno instead of acting, and records it in
 * RunResult.capabilityDenials; a well-built program asks only for what it was given, so refused
 * calls beyond a small threshold mean the module probed for files, network or secrets it was not
 * granted. The threshold counts refused calls in all (every function, every time).
 */
import type { CapabilityDenial } from '../sandbox/types';
import { fail, listForSentence, pass, type Check } from './verdict';

export interface DeniedCallsSettings {
  /** Refused calls tolerated in one run; more fails the rule. */
  readonly max_denied_calls: number;
}

/** Total refused calls; a negative or fractional count from a faulty host counts as at least 1. */
export function deniedCallCount(denials: readonly CapabilityDenial[]): number {
  return denials.reduce((sum, d) => sum + (Number.isFinite(d.count) && d.count > 0 ? Math.ceil(d.count) : 1), 0);
}

/** One function in plain words: `path_open 3 times (no "fs.read" capability, answered NOTCAPABLE)`. */
function describeDenial(d: CapabilityDenial): string {
  const times = d.count === 1 ? 'once' : `${d.count} times`;
  const why = d.capability === null ? 'never allowed in this sandbox' : `no "${d.capability}" capability`;
  return `${d.fn} ${times} (${why}, answered ${d.errno})`;
}

export function checkDeniedCalls(rule: DeniedCallsSettings, denials: readonly CapabilityDenial[]): Check {
  const total = deniedCallCount(denials);
  if (total === 0) return pass('The module made no call outside what it was granted.');
  const list = listForSentence(denials.map(describeDenial), 10);
  const what = `The module tried ${total} call(s) it was not granted, each refused by the sandbox: ${list}.`;
  return total > rule.max_denied_calls
    ? fail(`${what} This policy tolerates at most ${rule.max_denied_calls}, so the attempt counts as probing beyond the grant.`)
    : pass(`${what} This policy tolerates up to ${rule.max_denied_calls}.`);
}
