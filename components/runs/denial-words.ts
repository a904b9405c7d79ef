/**
 * Plain words for the decision trace: what the sandbox refused (capability denials), what a trap
 * said, and what a `nightcore call` returned. Pure, so the wording is tested without a browser.
 * Everything here is shown as text (React escapes it): function names and samples come from the
 * module and are never trusted as markup.
 */
import type { DecisionRecord } from '@/server/core/guardian/decision-record';
import type { CapabilityDenial } from '@/server/core/sandbox/types';

/** What each capability lets a program do, in words a manager can read. */
const CAPABILITY_WORDS: Readonly<Record<string, string>> = {
  args: 'read its command-line arguments',
  environ: 'read environment variables',
  stdin: 'read its input',
  stdout: 'write its output',
  stderr: 'write error output',
  clock: 'read the clock',
  random: 'draw random numbers',
  exit: 'choose its exit code',
};

export interface DenialLine {
  readonly fn: string;
  readonly sentence: string;
  readonly samples: readonly string[];
}

export interface DenialExplanation {
  readonly summary: string;
  readonly lines: readonly DenialLine[];
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

export function explainDenials(denials: readonly CapabilityDenial[]): DenialExplanation {
  if (denials.length === 0) {
    return { summary: 'The module stayed inside what it was granted: the sandbox refused no call.', lines: [] };
  }
  const total = denials.reduce((n, d) => n + d.count, 0);
  const lines = denials.map((d): DenialLine => {
    const what =
      d.capability === null
        ? 'something this sandbox never allows (no network, no process control)'
        : `the "${d.capability}" capability (${CAPABILITY_WORDS[d.capability] ?? 'not granted to this run'}), which this run was not granted`;
    return {
      fn: d.fn,
      sentence: `Called ${d.fn} ${times(d.count)}, which needs ${what}. The sandbox refused it (${d.errno}) and the call did nothing.`,
      samples: d.samples,
    };
  });
  return {
    summary:
      `The module tried ${total.toLocaleString('en-US')} ${total === 1 ? 'call' : 'calls'} outside its grant. Each was refused by the sandbox, so nothing was read, written or sent; ` +
      'but a program that keeps asking for what it was not given may be probing for a way out, which the denied_calls rule and the quarantine settings judge.',
    lines,
  };
}

type Outcome = NonNullable<DecisionRecord['execution']>['outcome'];

/** One sentence about how the run ended, including the module's own message for a trap when it gave one. */
export function describeOutcome(o: Outcome): string {
  switch (o.kind) {
    case 'ok':
      return `finished with exit code ${o.exitCode}`;
    case 'trap':
      return o.trap === 'abort' && o.message !== undefined
        ? `stopped itself (abort) with the message: ${o.message}`
        : `trapped (${o.trap})${o.message !== undefined ? `: ${o.message}` : ''}`;
    case 'crashed':
      return `the sandbox worker crashed: ${o.message}`;
    case 'denied':
      return `denied by the sandbox: ${o.reason}`;
    case 'out_of_fuel':
      return 'stopped: it used its whole fuel budget';
    case 'timeout':
      return 'stopped: it reached its wall-clock limit';
    case 'memory_limit':
      return 'stopped: it tried to grow memory past its limit';
  }
}

/** `add_i32(2, 3) returned 5 (i32)`, for a call; null for a plain run. */
export function describeInvocation(rec: Pick<DecisionRecord, 'input' | 'execution'>): string | null {
  const call = rec.input.invocation;
  if (!call) return null;
  const head = `${rec.input.entry}(${call.args.map((a) => `${a.value}: ${a.type}`).join(', ')})`;
  const returned = rec.execution?.returnValues;
  if (!returned) return `Called ${head}; it returned nothing because the run did not finish normally.`;
  if (returned.length === 0) return `Called ${head}; it returned no value.`;
  return `Called ${head}; it returned ${returned.map((v) => `${v.value} (${v.type})`).join(', ')}.`;
}
