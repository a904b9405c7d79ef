export {
  OUTCOME_KINDS,
  POLICY_FORMAT,
  SEVERITIES,
  ZPolicySchema,
  parsePolicy,
  parsePolicyText,
  type PolicyErrorCode,
  type PostRuleId,
  type PreRuleId,
  type Severity,
  type TPolicy,
} from './schema';
export { MAX_PATTERN_LENGTH, MAX_PATTERNS, checkPattern } from './safe-regex';
export { evaluatePre, PRE_RULE_IDS, type PreInput, type TrustedSigner } from './pre';
export { evaluatePost, POST_RULE_IDS, type PostInput } from './post';
export { effectiveGrant, type EffectiveGrant } from './grant';
export type { RuleOutcome, RuleResult, Verdict } from './verdict';
