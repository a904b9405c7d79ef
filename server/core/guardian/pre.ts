import { ISOLATED_BACKENDS, type BackendKind } from '../sandbox/backend';
import type { TEffectiveLimits, TManifest } from '../module/manifest';
import type { LegacyOrigin } from '../module/legacy';
import type { Band } from '../threat/bands';
import type { WasmReport } from '../wasm/report';
import type { PreRuleId, TPolicy, TPreRules } from './schema';
import { decide, fail, listForSentence, pass, skip, type Check, type Verdict } from './verdict';
import { checkImportsAllowed, type UnlinkableImport } from './imports-rule';

export interface TrustedSigner {
  readonly keyid: string;
  readonly name: string;
  readonly role: string;
}

/** Everything the pre-exec rules look at, computed by the services before the run. */
export interface PreInput {
  readonly manifest: TManifest;
  /**
   * The effective grant's limits (effectiveGrant(policy, manifest).limits): what the sandbox will
   * really enforce. Limit rules judge against these, so a dry run and a real run cannot disagree.
   */
  readonly limits: TEffectiveLimits;
  readonly report: WasmReport;
  /** From verifyBundle: `signers` holds only keys found (and active) in the trust store. */
  readonly signature: { readonly verified: boolean; readonly code?: string; readonly signers: readonly TrustedSigner[] };
  /** Imports the sandbox cannot link, whatever the grant (checkImports in the sandbox). */
  readonly deniedImports: readonly UnlinkableImport[];
  /** From scoreThreat(policy.threat, facts). */
  readonly threat: { readonly score: number; readonly band: Band };
  /** True while the module's digest has an unreleased quarantine entry. */
  readonly quarantined: boolean;
  /** True when a human approval is recorded for this module version. */
  readonly approved: boolean;
  /** The sandbox backend the run would execute on. */
  readonly backend: BackendKind;
  /** Set when the module came from a legacy tenant folder (unsigned name and version): its origin. */
  readonly legacy: LegacyOrigin | null;
}

/** Fixed order: the verdict always lists rules the same way. */
export const PRE_RULE_IDS: readonly PreRuleId[] = [
  'signature_trusted',
  'legacy_modules',
  'imports_allowed',
  'capabilities_allowed',
  'max_declared_memory',
  'max_table_elements',
  'max_module_size',
  'start_section',
  'custom_sections',
  'tenant_allowed',
  'threat_threshold',
  'quarantined',
  'approval_required',
  'entry_exported',
  'backend_allowed',
];

type Rules = Required<TPreRules>;
type PreCheck<K extends PreRuleId> = (rule: NonNullable<Rules[K]>, input: PreInput, policy: TPolicy) => Check;

const CHECKS: { [K in PreRuleId]: PreCheck<K> } = {
  signature_trusted: (rule, { signature }) => {
    if (!signature.verified) {
      return fail(`The signature could not be verified${signature.code ? ` (${signature.code})` : ''}.`);
    }
    if (signature.signers.length === 0) return fail('No key in the trust store signed this module.');
    const names = signature.signers.map((s) => `${s.name} (${s.role})`);
    if (rule.required_roles.length > 0 && !signature.signers.some((s) => rule.required_roles.includes(s.role))) {
      return fail(`The module is signed by ${listForSentence(names)}, but this policy needs a signer with role ${rule.required_roles.join(' or ')}.`);
    }
    return pass(`The module is signed by trusted key(s): ${listForSentence(names)}.`);
  },
  legacy_modules: (rule, { legacy }) => {
    if (legacy === null) return pass('The module is a signed bundle: its name and version are covered by the signature.');
    const what = `The module is a legacy import (folder ${JSON.stringify(legacy.folderName)}): only its code is signed, its name and version are not`;
    return rule.mode === 'allow' ? pass(`${what}; this policy allows legacy modules.`) : fail(`${what}; this policy does not run legacy modules.`);
  },
  imports_allowed: (rule, { report, deniedImports }) => checkImportsAllowed(rule, report, deniedImports),
  capabilities_allowed: (_rule, { manifest }, policy) => {
    const outside = manifest.capabilities.filter((c) => !policy.capabilities.includes(c));
    if (outside.length === 0) return pass('Every capability the module asks for is allowed by this policy.');
    return fail(`The module asks for ${outside.join(', ')}, which this policy does not allow.`);
  },
  max_declared_memory: (rule, { report, limits }) => {
    // The sandbox clamps memory to the effective grant; a policy's own max_pages can only lower it.
    const cap = Math.min(rule.max_pages ?? limits.memoryPages, limits.memoryPages);
    if (report.memories.length === 0) return skip('The module declares no memory.');
    const initial = Math.max(...report.memories.map((m) => m.initialPages));
    if (initial > cap) return fail(`The module asks for ${initial} memory pages at start; this run may use at most ${cap}.`);
    if (rule.check_maximum) {
      const maxima = report.memories.map((m) => m.maximumPages);
      if (maxima.some((m) => m === null)) return fail(`The module sets no memory maximum; this policy requires one of at most ${cap} pages.`);
      const max = Math.max(...(maxima as number[]));
      if (max > cap) return fail(`The module may grow to ${max} memory pages; this run may use at most ${cap}.`);
    }
    return pass(`The module starts with ${initial} memory pages, within the ${cap} this run may use.`);
  },
  max_table_elements: (_rule, { report, limits }) => {
    const cap = limits.tableElements;
    if (report.tables.length === 0) return skip('The module declares no table.');
    const initial = report.tables.reduce((sum, t) => sum + t.initial, 0);
    if (initial > cap) return fail(`The module's tables start with ${initial} elements; this run may use at most ${cap}.`);
    return pass(`The module's tables start with ${initial} elements, within the ${cap} this run may use.`);
  },
  max_module_size: (rule, { report }) =>
    report.sizeBytes > rule.max_bytes
      ? fail(`The module is ${report.sizeBytes} bytes; this policy allows at most ${rule.max_bytes}.`)
      : pass(`The module is ${report.sizeBytes} bytes, within this policy's ${rule.max_bytes}.`),
  start_section: (rule, { report }) => {
    if (report.startFunction === null) return pass('The module has no start function that runs on load.');
    return rule.mode === 'allow'
      ? pass('The module has a start function that runs on load; this policy allows that.')
      : fail('The module has a start function that runs on load; this policy does not allow that.');
  },
  custom_sections: (rule, { report }) => {
    const denied = report.customSections.filter((s) => rule.deny_names.includes(s.name)).map((s) => s.name);
    if (denied.length > 0) return fail(`The module carries custom section(s) this policy forbids: ${listForSentence([...new Set(denied)])}.`);
    const unlisted = report.customSectionTotals.count - report.customSections.length;
    // The inspector lists a bounded number of sections: names it did not list cannot be checked.
    if (unlisted > 0 && rule.deny_names.length > 0) {
      return fail(`The module carries ${report.customSectionTotals.count} custom sections, too many to check every name against this policy's deny list.`);
    }
    const total = report.customSectionTotals.sizeBytes;
    if (total > rule.max_total_bytes) return fail(`The module carries ${total} bytes of custom sections; this policy allows at most ${rule.max_total_bytes}.`);
    return pass(`The module carries ${total} bytes of custom sections, within this policy's ${rule.max_total_bytes}.`);
  },
  tenant_allowed: (rule, { manifest }) => {
    if (rule.tenants === '*') return pass(`This policy allows every tenant, including ${manifest.tenant}.`);
    return rule.tenants.includes(manifest.tenant)
      ? pass(`Tenant ${manifest.tenant} is on this policy's list.`)
      : fail(`Tenant ${manifest.tenant} is not on this policy's list of allowed tenants.`);
  },
  threat_threshold: (rule, { threat }) =>
    // Not a number means we do not know the risk: fail closed.
    !Number.isFinite(threat.score) || threat.score >= rule.deny_at
      ? fail(`The threat score is ${threat.score} (${threat.band}); this policy denies at ${rule.deny_at} or above.`)
      : pass(`The threat score is ${threat.score} (${threat.band}), below this policy's limit of ${rule.deny_at}.`),
  quarantined: (_rule, { quarantined }) =>
    quarantined
      ? fail('The module is in quarantine and cannot run until someone releases it.')
      : pass('The module is not in quarantine.'),
  approval_required: (rule, { approved }) => {
    if (!rule.required) return skip('This policy does not require a human approval.');
    return approved ? pass('A person has approved this module.') : fail('This policy needs a human approval, and none is recorded.');
  },
  backend_allowed: (rule, { backend, threat, manifest }) => {
    if (!rule.allowed.includes(backend)) return fail(`This console runs modules on the ${backend} backend, which this policy does not allow (allowed: ${rule.allowed.join(', ')}).`);
    const pinned = rule.tenants[manifest.tenant];
    if (pinned && !pinned.includes(backend)) return fail(`Tenant ${manifest.tenant} may run only on ${pinned.join(' or ')}, not on ${backend}.`);
    if (rule.isolate_bands.includes(threat.band) && !ISOLATED_BACKENDS.includes(backend)) {
      return fail(`Modules in the ${threat.band} threat band must run isolated from the console (${ISOLATED_BACKENDS.join(' or ')}), not on ${backend}.`);
    }
    return pass(`The ${backend} backend is allowed for this module.`);
  },
  entry_exported: (_rule, { manifest, report }) => {
    const exp = report.exports.find((e) => e.name === manifest.entry);
    if (exp === undefined) return fail(`The module does not export the entry function "${manifest.entry}" named in its manifest.`);
    if (exp.kind !== 'func') return fail(`The entry "${manifest.entry}" is a ${exp.kind}, not a function.`);
    return pass(`The module exports its entry function "${manifest.entry}".`);
  },
};

/** Pre-exec verdict. Never throws: a broken check fails closed. */
export function evaluatePre(policy: TPolicy, input: PreInput): Verdict {
  return decide(
    'pre',
    policy,
    PRE_RULE_IDS,
    (id) => policy.pre[id],
    // The cast ties each id to its own rule settings; CHECKS is keyed so the pairing is type-checked above.
    (id) => (CHECKS[id] as PreCheck<typeof id>)(policy.pre[id] as never, input, policy),
  );
}
