/**
 * One line per rule, in the wording of docs/policy-reference.md ("passes when"), so the page and
 * the reference say the same thing.
 */
import type { PostRuleId, PreRuleId } from '@/server/core/guardian/schema';

export const PRE_RULE_TEXT: Record<PreRuleId, string> = {
  signature_trusted: 'Verification passed, at least one trusted signer, and (if set) one signer holds a required role.',
  legacy_modules: 'The module is a signed bundle, or mode is allow (legacy modules sign only their code).',
  imports_allowed: 'Every import is a WASI preview1 function the host links (or AssemblyScript\'s env.abort), and none is in deny_functions.',
  capabilities_allowed: "Every capability the manifest requests is in the policy's capabilities.",
  max_declared_memory: "Every memory's initial pages ≤ cap (the effective grant's memoryPages, or max_pages if smaller); with check_maximum, every memory also declares a maximum ≤ cap.",
  max_table_elements: "The tables' initial elements together ≤ the effective grant's tableElements.",
  max_module_size: 'Module size ≤ max_bytes.',
  start_section: 'No start function, or mode is allow.',
  custom_sections: 'No custom section has a denied name and their total size ≤ max_total_bytes.',
  tenant_allowed: "\"*\", or the manifest's tenant is listed.",
  threat_threshold: 'Threat score < deny_at.',
  quarantined: 'The module is not quarantined.',
  approval_required: 'A human approval is recorded (skipped when required is false).',
  backend_allowed: 'The sandbox backend is allowed: for every module, for its tenant, and for its threat band (high-risk bands can be required to run isolated, on process or remote).',
  entry_exported: "The manifest's entry is an exported function.",
};

export const POST_RULE_TEXT: Record<PostRuleId, string> = {
  outcome_allowed: "The run's outcome kind is listed.",
  exit_code: 'The exit code is listed (skipped when the outcome is not ok).',
  max_fuel_used: 'Fuel used ≤ max (default: limits.fuel).',
  max_peak_memory_pages: 'Peak memory pages ≤ max (default: limits.memoryPages).',
  max_output_bytes: 'stdout + stderr bytes ≤ max (default: limits.outputBytes).',
  output_patterns: 'No deny pattern matches stdout or stderr (skipped when deny is empty).',
  max_wall_ms: 'Wall time ≤ max (default: limits.wallMs).',
  denied_calls: 'Calls the sandbox refused (outside the grant) ≤ max_denied_calls (default 0).',
};
