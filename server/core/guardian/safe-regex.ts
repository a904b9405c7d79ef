/**
 * Deny patterns run over untrusted program output, so a pattern with catastrophic backtracking
 * (ReDoS) would let a module stall the post-exec check. JavaScript regexes have no time limit,
 * so we bound what a policy author can write instead: short patterns, few of them, and no
 * nested quantifier such as `(a+)+`. This is a heuristic, not a proof; see docs/policy-reference.md.
 */
export const MAX_PATTERN_LENGTH = 200;
export const MAX_PATTERNS = 32;

// A group that contains a quantifier and is itself quantified: the classic exponential shape.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d+,\d*\})/;

export type PatternProblem = 'too_long' | 'nested_quantifier' | 'invalid';

/** Checks one pattern; returns a plain-language problem or null when it is acceptable. */
export function checkPattern(source: string): { problem: PatternProblem; message: string } | null {
  if (source.length > MAX_PATTERN_LENGTH) {
    return { problem: 'too_long', message: `pattern is ${source.length} characters; at most ${MAX_PATTERN_LENGTH} are allowed` };
  }
  if (NESTED_QUANTIFIER.test(source)) {
    return { problem: 'nested_quantifier', message: 'pattern repeats a group that itself repeats (ReDoS risk); rewrite it without nested quantifiers' };
  }
  try {
    new RegExp(source, 'u');
  } catch (e) {
    return { problem: 'invalid', message: `not a valid regular expression: ${(e as Error).message}` };
  }
  return null;
}

/** Compiled patterns by flags and source: every run's post-exec check (and every simulated run) reuses them. */
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 256;

/**
 * Compiles an already-checked pattern. No `g` flag: a stateful lastIndex would make tests
 * order-dependent, and it is what makes sharing one compiled RegExp safe.
 */
export function compilePattern(source: string, ignoreCase: boolean): RegExp {
  const flags = ignoreCase ? 'iu' : 'u';
  const key = `${flags}/${source}`;
  let re = compiled.get(key);
  if (!re) {
    if (compiled.size >= MAX_COMPILED) compiled.clear(); // policies change rarely: a bound, not an eviction policy
    re = new RegExp(source, flags);
    compiled.set(key, re);
  }
  return re;
}
