import { z } from 'zod';
import { CAPABILITIES, ZLimitsSchema, describeIssues } from '../module/manifest';
import { err, ok, type Result } from '../result';
import { OUTCOME_KINDS } from '../sandbox/types';
import { BACKEND_KINDS } from '../sandbox/backend';
import { ZThreatConfigSchema } from '../threat/config';
import { BANDS } from '../threat/bands';
import { MAX_PATTERNS, checkPattern } from './safe-regex';
import { ZApprovalPolicySchema } from '../inbox/policy';
import { checkFunctionPattern } from './preview1-functions';

/**
 * The policy language version, declared by every policy in `format`. v1 grew only by optional fields
 * (dry_run); a change that alters what an existing field means needs v2.
 */
export const POLICY_FORMAT = 'nightcore.policy/v1';
export const POLICY_LANGUAGE_VERSION = 1;

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The outcome kinds a policy can name: the one list, beside RunOutcome. */
export { OUTCOME_KINDS };

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const TENANT_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Anchored: an env name is passed to the guest verbatim. */
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const unique = <T>(xs: readonly T[]): boolean => new Set(xs).size === xs.length;

/** Each rule carries its own severity; the default is what the rule usually deserves. */
const rule = <S extends z.core.$ZodLooseShape>(severity: Severity, shape: S) =>
  z.strictObject({
    severity: z.enum(SEVERITIES).default(severity),
    /** Evaluated and recorded, never blocks (absent = false, so v1 policies keep their meaning). */
    dry_run: z.boolean().optional(),
    ...shape,
  });

const positiveInt = z.number().int().positive();

export const ZPreRulesSchema = z.strictObject({
  signature_trusted: rule('critical', {
    /** When non-empty, at least one trusted signer must hold one of these roles. */
    required_roles: z.array(z.string().min(1)).default([]),
  }).optional(),
  /** Legacy tenant folders sign only the code; `deny` refuses to run them at all. */
  legacy_modules: rule('high', { mode: z.enum(['allow', 'deny']).default('deny') }).optional(),
  imports_allowed: rule('critical', {
    /** WASI preview1 functions refused before running: exact names or `prefix_*` (e.g. `sock_*`). */
    deny_functions: z
      .array(z.string().min(1).max(64))
      .max(46)
      .refine(unique, 'must not repeat a function')
      .default([])
      .superRefine((patterns, ctx) => {
        patterns.forEach((p, i) => {
          const problem = checkFunctionPattern(p);
          if (problem) ctx.addIssue({ code: 'custom', path: [i], message: problem });
        });
      }),
  }).optional(),
  capabilities_allowed: rule('high', {}).optional(),
  max_declared_memory: rule('high', {
    /** A ceiling below the effective grant's memoryPages (never above it: the grant is what runs). */
    max_pages: z.number().int().min(0).max(65536).optional(),
    /** Also refuse a declared maximum above the cap (the sandbox clamps it anyway). */
    check_maximum: z.boolean().default(false),
  }).optional(),
  /** Sum of the tables' initial sizes against the effective grant's tableElements. */
  max_table_elements: rule('high', {}).optional(),
  max_module_size: rule('medium', { max_bytes: positiveInt.default(16 * 1024 * 1024) }).optional(),
  start_section: rule('medium', { mode: z.enum(['allow', 'deny']).default('deny') }).optional(),
  custom_sections: rule('low', {
    max_total_bytes: z.number().int().min(0).default(1024 * 1024),
    /** At most 256 characters each: the inspector cuts longer names, which then never match. */
    deny_names: z.array(z.string().min(1).max(256)).default([]),
  }).optional(),
  tenant_allowed: rule('high', {
    tenants: z.union([z.literal('*'), z.array(z.string().regex(TENANT_RE, 'must be a tenant id'))]).default('*'),
  }).optional(),
  threat_threshold: rule('high', { deny_at: z.number().int().min(0).max(100).default(60) }).optional(),
  quarantined: rule('critical', {}).optional(),
  approval_required: rule('high', { required: z.boolean().default(true) }).optional(),
  entry_exported: rule('high', {}).optional(),
  backend_allowed: rule('high', {
    /** Backends runs may use (default: any). */
    allowed: z.array(z.enum(BACKEND_KINDS)).min(1).refine(unique, 'must not repeat a backend').default([...BACKEND_KINDS]),
    /** Threat bands whose modules must run isolated from the console (on `process` or `remote`). */
    isolate_bands: z.array(z.enum(BANDS)).refine(unique, 'must not repeat a band').default([]),
    /** Tenants pinned to backends: a tenant listed here runs only on these. */
    tenants: z.record(z.string().regex(TENANT_RE, 'must be a tenant id'), z.array(z.enum(BACKEND_KINDS)).min(1)).default({}),
  }).optional(),
});
export type TPreRules = z.infer<typeof ZPreRulesSchema>;
export type PreRuleId = keyof TPreRules;

const optionalMax = z.number().int().min(0).optional();

export const ZPostRulesSchema = z.strictObject({
  outcome_allowed: rule('high', {
    kinds: z.array(z.enum(OUTCOME_KINDS)).refine(unique, 'must not repeat a kind').default(['ok']),
  }).optional(),
  exit_code: rule('medium', { allowed: z.array(z.number().int()).min(1).default([0]) }).optional(),
  /** Each `max` defaults to the matching policy limit when omitted. */
  max_fuel_used: rule('medium', { max: optionalMax }).optional(),
  max_peak_memory_pages: rule('medium', { max: optionalMax }).optional(),
  max_output_bytes: rule('medium', { max: optionalMax }).optional(),
  output_patterns: rule('high', {
    deny: z
      .array(z.string().min(1))
      .max(MAX_PATTERNS)
      .default([])
      .superRefine((patterns, ctx) => {
        patterns.forEach((p, i) => {
          const problem = checkPattern(p);
          if (problem) ctx.addIssue({ code: 'custom', path: [i], message: problem.message });
        });
      }),
    ignore_case: z.boolean().default(false),
  }).optional(),
  max_wall_ms: rule('medium', { max: optionalMax }).optional(),
  /** Calls the WASI host refused (outside the grant) tolerated in one run; more fails. */
  denied_calls: rule('high', { max_denied_calls: z.number().int().min(0).max(1_000_000).default(0) }).optional(),
});
export type TPostRules = z.infer<typeof ZPostRulesSchema>;
export type PostRuleId = keyof TPostRules;

export const ZPolicySchema = z.strictObject({
  format: z.literal(POLICY_FORMAT),
  name: z.string().regex(NAME_RE, 'lower-case letters, digits, ".", "_" or "-", at most 64'),
  /** Bumped with every change; the decision record stores it. */
  revision: positiveInt,
  description: z.string().max(2000).default(''),
  /** Every rule in dry-run: evaluated and recorded, none blocks (absent = false). */
  dry_run: z.boolean().optional(),
  limits: ZLimitsSchema,
  capabilities: z.array(z.enum(CAPABILITIES)).refine(unique, 'must not repeat a capability'),
  env: z.array(z.string().regex(ENV_NAME_RE, 'must be an environment variable name')).refine(unique, 'must not repeat a name').default([]),
  pre: ZPreRulesSchema.prefault({}),
  post: ZPostRulesSchema.prefault({}),
  threat: ZThreatConfigSchema.prefault({}),
  /** Who approves agent submissions and quarantine releases (server/core/inbox, docs/approvals.md). */
  approval: ZApprovalPolicySchema.prefault({}),
}).superRefine((policy, ctx) => {
  // Checked here because the threat block cannot import the post rules (guardian imports threat).
  const postRules: readonly string[] = ZPostRulesSchema.keyof().options;
  policy.threat.quarantine_on_rules.forEach((id, i) => {
    if (!postRules.includes(id)) {
      ctx.addIssue({ code: 'custom', path: ['threat', 'quarantine_on_rules', i], message: `"${id}" is not a post-exec rule` });
    }
  });
});
export type TPolicy = z.infer<typeof ZPolicySchema>;

export type PolicyErrorCode = 'POLICY_NOT_JSON' | 'POLICY_INVALID';

/** Validates a parsed policy; collects every bad field (one `path: message` line each). */
export function parsePolicy(value: unknown): Result<TPolicy, PolicyErrorCode> {
  const parsed = ZPolicySchema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  const issues = describeIssues(parsed.error);
  return err('POLICY_INVALID', `The policy has ${issues.length} problem(s): ${issues.join('; ')}`, issues);
}

/** Parses policy file text. The caller reads the file; the core does no I/O. */
export function parsePolicyText(text: string): Result<TPolicy, PolicyErrorCode> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return err('POLICY_NOT_JSON', `The policy is not valid JSON: ${(e as Error).message}`);
  }
  return parsePolicy(value);
}
