/**
 * Does a policy change weaken enforcement? Weakening needs approval by quorum (a proposal);
 * tightening may apply at once. Conservative by construction: every changed field is weaker unless
 * a comparator below proves it tighter (or proves it has no effect on decisions), so a field
 * added to the schema later is "weaker" until someone writes down why it is not.
 */
import type { TPolicy } from './schema';
import { DEFAULT_TABLE_ELEMENTS } from '../module/manifest';

export type Effect = 'tighter' | 'weaker' | 'neutral';

export interface PolicyChange {
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
  readonly effect: Effect;
  /** One plain sentence: what the change does to enforcement. */
  readonly why: string;
}

export interface ChangeClassification {
  /** weakening when any change is weaker; tightening when at least one is tighter and none weaker. */
  readonly kind: 'unchanged' | 'neutral' | 'tightening' | 'weakening';
  readonly changes: readonly PolicyChange[];
}

type Verdict = { effect: Effect; why: string };
type Comparator = (from: unknown, to: unknown, ctx?: { base: TPolicy; candidate: TPolicy }) => Verdict;

const tighter = (why: string): Verdict => ({ effect: 'tighter', why });
const weaker = (why: string): Verdict => ({ effect: 'weaker', why });

/** A cap: lower is tighter. `absent` is what a missing value means (Infinity: no cap). */
const cap =
  (absent = Infinity): Comparator =>
  (a, b) => {
    const x = typeof a === 'number' ? a : absent;
    const y = typeof b === 'number' ? b : absent;
    return y < x ? tighter(`lowers it from ${show(x)} to ${show(y)}`) : y > x ? weaker(`raises it from ${show(x)} to ${show(y)}`) : { effect: 'neutral', why: 'same value' };
  };
/** More counts as stricter (threat weights, counted history): higher is tighter. */
const floor: Comparator = (a, b) => {
  const r = cap(0)(a, b);
  return r.effect === 'tighter' ? weaker(r.why) : r.effect === 'weaker' ? tighter(r.why) : r;
};
const show = (n: number) => (n === Infinity ? 'no limit' : String(n));

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => JSON.stringify(x)) : []);
const sameSet = (a: unknown, b: unknown): boolean => {
  const x = new Set(asList(a));
  const y = new Set(asList(b));
  return x.size === y.size && [...x].every((v) => y.has(v));
};
const SAME: Verdict = { effect: 'neutral', why: 'same value' };
/** An allow-list: removing entries is tighter, adding any is weaker. */
const allowList: Comparator = (a, b) => {
  if (sameSet(a, b)) return SAME;
  const from = new Set(asList(a));
  const added = asList(b).filter((x) => !from.has(x));
  return added.length > 0 ? weaker(`allows ${added.join(', ')}`) : tighter('allows fewer');
};
/** A deny-list: adding entries is tighter, removing any is weaker. */
const denyList: Comparator = (a, b) => {
  if (sameSet(a, b)) return SAME;
  const to = new Set(asList(b));
  const removed = asList(a).filter((x) => !to.has(x));
  return removed.length > 0 ? weaker(`no longer refuses ${removed.join(', ')}`) : tighter('refuses more');
};
/** A switch whose `true` is the stricter side. */
const onIsTighter: Comparator = (a, b) => (b === true && a !== true ? tighter('turns it on') : a === true && b !== true ? weaker('turns it off') : { effect: 'neutral', why: 'same value' });
/** `allow` → `deny` is tighter. */
const denyMode: Comparator = (a, b) => (b === 'deny' ? tighter('now denies') : weaker('now allows'));
/** Dry-run on is weaker: the rule stops blocking. */
const dryRun: Comparator = (a, b) => {
  const r = onIsTighter(a, b);
  return r.effect === 'tighter' ? weaker('switches it to dry-run: it stops blocking') : r.effect === 'weaker' ? tighter('enforces it again (leaves dry-run)') : r;
};
/** `[]` means any role: any list is tighter than none; otherwise fewer roles is tighter. */
const roles: Comparator = (a, b, ctx) => {
  if (asList(b).length === 0) return weaker('accepts a signer of any role');
  if (asList(a).length === 0) return tighter('requires a signer role');
  return allowList(a, b, ctx);
};
/** `"*"` means every tenant. */
const tenants: Comparator = (a, b, ctx) => {
  if (b === '*') return weaker('allows every tenant');
  if (a === '*') return tighter('allows only listed tenants');
  return allowList(a, b, ctx);
};
/** Tenant → backends pins: every old pin kept (with no new backend) is tighter; a new pin too. */
const tenantPins: Comparator = (a, b) => {
  const from = (a ?? {}) as Record<string, string[]>;
  const to = (b ?? {}) as Record<string, string[]>;
  for (const [tenant, backends] of Object.entries(from)) {
    const now = to[tenant];
    if (!now) return weaker(`unpins tenant ${tenant}`);
    const added = now.filter((x) => !backends.includes(x));
    if (added.length > 0) return weaker(`lets tenant ${tenant} use ${added.join(', ')}`);
  }
  return tighter('pins tenants to fewer backends');
};
/** Groups may only lose members (fewer people can approve); any new group or member is weaker. */
const groups: Comparator = (a, b) => {
  const from = (a ?? {}) as Record<string, string[]>;
  for (const [group, members] of Object.entries((b ?? {}) as Record<string, string[]>)) {
    if (!from[group]) return weaker(`adds group ${group}`);
    const added = members.filter((m) => !from[group]!.includes(m));
    if (added.length > 0) return weaker(`adds ${added.join(', ')} to ${group}`);
  }
  return tighter('fewer people in the groups');
};
/** The same requirements with counts at least as high is tighter; anything else is weaker. */
const quorum: Comparator = (a, b) => {
  const from = (a ?? []) as { role?: string; group?: string; count: number }[];
  const to = (b ?? []) as { role?: string; group?: string; count: number }[];
  const kept = from.every((r) => to.some((s) => s.role === r.role && s.group === r.group && s.count >= r.count));
  return kept ? tighter('needs at least the same approvals') : weaker('needs fewer or different approvals');
};
/** `post.max_*`: the effective cap is `max`, else the matching policy limit. */
const postMax =
  (limit: 'fuel' | 'memoryPages' | 'outputBytes' | 'wallMs'): Comparator =>
  (a, b, ctx) =>
    cap()(typeof a === 'number' ? a : ctx!.base.limits[limit], typeof b === 'number' ? b : ctx!.candidate.limits[limit]);
const neutral =
  (why: string): Comparator =>
  () => ({ effect: 'neutral', why });

/** Field paths (rule names included) with their comparator; a path not listed here is weaker when changed. */
const COMPARATORS: Record<string, Comparator> = {
  description: neutral('a description does not change any decision'),
  dry_run: dryRun,
  'limits.fuel': cap(),
  'limits.memoryPages': cap(),
  'limits.wallMs': cap(),
  'limits.outputBytes': cap(),
  'limits.tableElements': cap(DEFAULT_TABLE_ELEMENTS),
  capabilities: allowList,
  env: allowList,
  'pre.signature_trusted.required_roles': roles,
  'pre.legacy_modules.mode': denyMode,
  'pre.imports_allowed.deny_functions': denyList,
  'pre.max_declared_memory.max_pages': cap(),
  'pre.max_declared_memory.check_maximum': onIsTighter,
  'pre.max_module_size.max_bytes': cap(),
  'pre.start_section.mode': denyMode,
  'pre.custom_sections.max_total_bytes': cap(),
  'pre.custom_sections.deny_names': denyList,
  'pre.tenant_allowed.tenants': tenants,
  'pre.threat_threshold.deny_at': cap(),
  'pre.approval_required.required': onIsTighter,
  'pre.backend_allowed.allowed': allowList,
  'pre.backend_allowed.isolate_bands': denyList,
  'pre.backend_allowed.tenants': tenantPins,
  'post.outcome_allowed.kinds': allowList,
  'post.exit_code.allowed': allowList,
  'post.max_fuel_used.max': postMax('fuel'),
  'post.max_peak_memory_pages.max': postMax('memoryPages'),
  'post.max_output_bytes.max': postMax('outputBytes'),
  'post.max_wall_ms.max': postMax('wallMs'),
  'post.output_patterns.deny': denyList,
  // Case-insensitive patterns match a superset of what case-sensitive ones match.
  'post.output_patterns.ignore_case': onIsTighter,
  'post.denied_calls.max_denied_calls': cap(),
  'threat.weights.*': floor,
  // Fires the signal on smaller sections / earlier: lower is tighter.
  'threat.settings.large_custom_sections_bytes': cap(),
  'threat.settings.near_cap_percent': cap(),
  'threat.settings.prior_post_failures_max_count': floor,
  'threat.settings.prior_capability_denials_max_count': floor,
  // Bands are not listed: moving a boundary can move a module out of an isolated band, so no band change is provably tighter.
  'threat.quarantine_on_post_failure': onIsTighter,
  'threat.quarantine_on_rules': denyList,
  'threat.quarantine_after_post_failures': cap(),
  'approval.groups': groups,
  'approval.quorum': quorum,
  'approval.reason_required': onIsTighter,
  'approval.submission_ttl_hours': cap(),
  'approval.approval_ttl_hours': cap(),
};
const severity = neutral('severity ranks failures for readers; it never changes a decision');

/** Rules whose check never answers `skip`: one enforced in a phase means that phase always has a pass or a fail. */
const NEVER_SKIPS = new Set([
  'pre.signature_trusted', 'pre.legacy_modules', 'pre.imports_allowed', 'pre.capabilities_allowed', 'pre.max_module_size', 'pre.start_section',
  'pre.custom_sections', 'pre.tenant_allowed', 'pre.threat_threshold', 'pre.quarantined', 'pre.entry_exported', 'pre.backend_allowed',
  'post.outcome_allowed', 'post.max_fuel_used', 'post.max_peak_memory_pages', 'post.max_output_bytes', 'post.max_wall_ms', 'post.denied_calls',
]);

/**
 * Default deny allows a run only when some rule passed. In a phase with no enforced rule that
 * always answers, turning a rule on (or making one apply) can turn "no rule allowed it" into an
 * allow, so there nothing counts as tighter.
 */
function anchored(p: TPolicy, phase: 'pre' | 'post'): boolean {
  if (p.dry_run === true) return false;
  return Object.entries(p[phase]).some(([id, rule]) => rule !== undefined && rule.dry_run !== true && NEVER_SKIPS.has(`${phase}.${id}`));
}

/** Leaf paths: lists and maps are leaves (their comparators judge them whole). */
const LEAF_MAPS = new Set(['pre.backend_allowed.tenants', 'approval.groups']);
function flatten(value: unknown, path: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !LEAF_MAPS.has(path)) {
    for (const [k, v] of Object.entries(value)) flatten(v, path === '' ? k : `${path}.${k}`, out);
  } else out.set(path, value);
}

function comparatorFor(path: string): Comparator | undefined {
  if (/^(pre|post)\.[a-z_]+\.severity$/.test(path)) return severity;
  if (/^(pre|post)\.[a-z_]+\.dry_run$/.test(path)) return dryRun;
  return COMPARATORS[path] ?? COMPARATORS[path.replace(/\.[a-z_]+$/, '.*')];
}

export function classifyChange(base: TPolicy, candidate: TPolicy): ChangeClassification {
  const ctx = { base, candidate };
  const changes: PolicyChange[] = [];
  const ruleToggled = new Set<string>();
  for (const phase of ['pre', 'post'] as const) {
    const ids = new Set([...Object.keys(base[phase]), ...Object.keys(candidate[phase])]);
    for (const id of ids) {
      const was = (base[phase] as Record<string, unknown>)[id] !== undefined;
      const is = (candidate[phase] as Record<string, unknown>)[id] !== undefined;
      if (was === is) continue;
      ruleToggled.add(`${phase}.${id}`);
      changes.push({ path: `${phase}.${id}`, from: was ? 'on' : 'off', to: is ? 'on' : 'off', ...(is ? tighter('turns the rule on') : weaker('turns the rule off')) });
    }
  }
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten({ ...base, revision: 0 }, '', a);
  flatten({ ...candidate, revision: 0 }, '', b);
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    if ([...ruleToggled].some((r) => path.startsWith(`${r}.`))) continue;
    const from = a.get(path);
    const to = b.get(path);
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    const compare = comparatorFor(path);
    const verdict = compare ? compare(from, to, ctx) : weaker('not provably tighter, so it counts as weaker');
    // `dry_run` absent and false mean the same; a cap given as its default value is no change.
    if (verdict === SAME || (verdict.effect === 'neutral' && verdict.why === 'same value')) continue;
    changes.push({ path, from, to, ...verdict });
  }
  const guarded = changes.map((c): PolicyChange => {
    const phase = c.path.startsWith('pre.') ? 'pre' : c.path.startsWith('post.') ? 'post' : undefined;
    if (c.effect !== 'tighter' || phase === undefined || anchored(base, phase)) return c;
    return { ...c, effect: 'weaker', why: `${c.why}, but no enforced ${phase}-exec rule always answers, so this could turn a default deny into an allow` };
  });
  const kind =
    guarded.length === 0
      ? 'unchanged'
      : guarded.some((c) => c.effect === 'weaker')
        ? 'weakening'
        : guarded.some((c) => c.effect === 'tighter')
          ? 'tightening'
          : 'neutral';
  return { kind, changes: guarded };
}
