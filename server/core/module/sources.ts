/**
 * Where a stored module version came from, and how the console names it. A `submission` runs on
 * the signed approvals of registered approvers (server/core/inbox/module-source.ts), not on a
 * publisher's signature, so it is always shown as such.
 */
export const MODULE_SOURCES = ['bundle', 'legacy', 'submission'] as const;
export type ModuleSource = (typeof MODULE_SOURCES)[number];

export const SOURCE_LABEL: Record<ModuleSource, string> = {
  bundle: 'signed bundle',
  legacy: 'legacy tenant folder',
  submission: 'approved submission',
};
