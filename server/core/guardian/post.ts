import type { RunResult } from '../sandbox/types';
import { compilePattern } from './safe-regex';
import type { PostRuleId, TPolicy, TPostRules } from './schema';
import { decide, fail, pass, skip, type Check, type Verdict } from './verdict';
import { checkDeniedCalls } from './denied-calls-rule';

/** Everything the post-exec rules look at: the sandbox's result for this run. */
export interface PostInput {
  readonly result: RunResult;
  /**
   * How many bytes of output the run wrote, when `result` does not carry the output itself (policy
   * simulation judges recorded runs without loading their output). Absent: the output's length.
   */
  readonly outputBytes?: number;
}

export const POST_RULE_IDS: readonly PostRuleId[] = [
  'outcome_allowed',
  'exit_code',
  'max_fuel_used',
  'max_peak_memory_pages',
  'max_output_bytes',
  'output_patterns',
  'max_wall_ms',
  'denied_calls',
];

type Rules = Required<TPostRules>;
type PostCheck<K extends PostRuleId> = (rule: NonNullable<Rules[K]>, input: PostInput, policy: TPolicy) => Check;

const OUTCOME_WORDS: Record<RunResult['outcome']['kind'], string> = {
  ok: 'finished normally',
  trap: 'crashed inside the module (trap)',
  out_of_fuel: 'ran out of its instruction budget',
  timeout: 'ran out of time',
  memory_limit: 'hit its memory limit',
  crashed: 'crashed the sandbox worker',
  denied: 'was refused by the sandbox',
};

/** Compares a measured amount with a cap; `unit` reads naturally in the sentence. */
function atMost(what: string, used: number, cap: number, unit: string): Check {
  return used > cap
    ? fail(`The run ${what} ${used} ${unit}; this policy allows at most ${cap}.`)
    : pass(`The run ${what} ${used} ${unit}, within this policy's ${cap}.`);
}

// Non-fatal decoding: invalid UTF-8 becomes U+FFFD instead of hiding the rest of the text from the patterns.
const decoder = new TextDecoder('utf-8', { fatal: false });

const CHECKS: { [K in PostRuleId]: PostCheck<K> } = {
  outcome_allowed: (rule, { result }) => {
    const kind = result.outcome.kind;
    return rule.kinds.includes(kind)
      ? pass(`The run ${OUTCOME_WORDS[kind]}, which this policy accepts.`)
      : fail(`The run ${OUTCOME_WORDS[kind]}; this policy accepts only: ${rule.kinds.join(', ') || 'nothing'}.`);
  },
  exit_code: (rule, { result }) => {
    if (result.outcome.kind !== 'ok') return skip('The run did not finish normally, so there is no exit code to check.');
    const code = result.outcome.exitCode;
    return rule.allowed.includes(code)
      ? pass(`The run exited with code ${code}, which this policy accepts.`)
      : fail(`The run exited with code ${code}; this policy accepts only ${rule.allowed.join(', ')}.`);
  },
  max_fuel_used: (rule, { result }, policy) => atMost('used', result.fuelUsed, rule.max ?? policy.limits.fuel, 'fuel'),
  max_peak_memory_pages: (rule, { result }, policy) =>
    atMost('peaked at', result.peakMemoryPages, rule.max ?? policy.limits.memoryPages, 'memory pages'),
  max_output_bytes: (rule, { result, outputBytes }, policy) =>
    atMost('wrote', outputBytes ?? result.stdout.length + result.stderr.length, rule.max ?? policy.limits.outputBytes, 'bytes of output'),
  output_patterns: (rule, { result }) => {
    if (rule.deny.length === 0) return skip('This policy lists no forbidden output patterns.');
    const streams = [
      { name: 'standard output', text: decoder.decode(result.stdout) },
      { name: 'error output', text: decoder.decode(result.stderr) },
    ];
    for (const source of rule.deny) {
      const re = compilePattern(source, rule.ignore_case);
      const hit = streams.find((s) => re.test(s.text));
      // The matched text is NOT quoted: it may be the very secret the pattern guards against.
      if (hit) return fail(`The run's ${hit.name} matches a forbidden pattern (/${source}/).`);
    }
    return pass(`The output matches none of this policy's ${rule.deny.length} forbidden pattern(s).`);
  },
  max_wall_ms: (rule, { result }, policy) => atMost('took', result.wallMs, rule.max ?? policy.limits.wallMs, 'ms'),
  denied_calls: (rule, { result }) => checkDeniedCalls(rule, result.capabilityDenials),
};

/** Post-exec verdict. Never throws: a broken check (e.g. an unloadable pattern) fails closed. */
export function evaluatePost(policy: TPolicy, input: PostInput): Verdict {
  return decide(
    'post',
    policy,
    POST_RULE_IDS,
    (id) => policy.post[id],
    (id) => (CHECKS[id] as PostCheck<typeof id>)(policy.post[id] as never, input, policy),
  );
}
