/**
 * Modules as the console sees them: one entry per name (its highest version), and one module in
 * detail with the inspector report, the threat score, a dry-run of Guardian's pre-exec verdict
 * (RunPipeline.assess: nothing runs, nothing is recorded) and how each version differs from the one before.
 */
import semver from 'semver';
import { z } from 'zod';
import type { Services } from '../../services/index';
import type { ModuleVersionRow } from '../../services/module-registry';
import type { Assessment } from '../../core/run';
import { inspectWasm } from '../../core/wasm/inspect';
import type { WasmReport } from '../../core/wasm/report';
import type { ThreatAssessment } from '../../core/threat';
import type { Verdict } from '../../core/guardian/verdict';
import { submissionIdOf } from '../../core/inbox/module-source';
import { MODULE_SOURCES } from '../../core/module/sources';
import { quarantineNote, runSummaryToWire, ZQuarantineNoteSchema, ZRunSummarySchema } from './run-views';

/** Most names a list returns, and most versions whose bytes the drift view inspects. */
export const LIST_LIMIT = 100;
export const DRIFT_VERSIONS = 20;

export const ZSignerSchema = z.object({ keyid: z.string(), name: z.string().nullable(), status: z.string().nullable() });
export type TSigner = z.infer<typeof ZSignerSchema>;

/** One signed approval an approved-submission version rests on, as it counts now. */
export const ZVersionApprovalSchema = z.object({ approver: z.string(), keyid: z.string(), time: z.string(), reason: z.string() });

export const ZModuleListItemSchema = z.object({
  name: z.string(),
  latestVersion: z.string(),
  versionCount: z.number().int(),
  tenant: z.string(),
  source: z.enum(MODULE_SOURCES),
  description: z.string(),
  importedAt: z.string(),
  wasmSha256: z.string(),
  signers: z.array(ZSignerSchema),
  threat: z.object({ score: z.number(), band: z.string() }).nullable(),
  quarantined: z.boolean(),
});
export type TModuleListItem = z.infer<typeof ZModuleListItemSchema>;

export const ZModuleFilterSchema = z.object({
  search: z.string().max(64).optional(),
  tenant: z.string().max(64).optional(),
  source: z.enum(MODULE_SOURCES).optional(),
  quarantined: z.boolean().optional(),
});
export type TModuleFilter = z.infer<typeof ZModuleFilterSchema>;

const ZVersionSchema = z.object({
  id: z.number().int(),
  version: z.string(),
  tenant: z.string(),
  description: z.string(),
  source: z.enum(MODULE_SOURCES),
  wasmSha256: z.string(),
  manifestSha256: z.string(),
  sizeBytes: z.number().int(),
  importedBy: z.string(),
  importedAt: z.string(),
  signers: z.array(ZSignerSchema),
  quarantined: z.boolean(),
  /** For an approved submission: which one, and the approvals that count for it now (none: it does not run). */
  submission: z.object({ id: z.string(), state: z.string(), approvals: z.array(ZVersionApprovalSchema), detail: z.string() }).nullable(),
});

const ZDriftSchema = z.object({
  from: z.string(),
  to: z.string(),
  digestChanged: z.boolean(),
  sizeDelta: z.number().int(),
  importsAdded: z.array(z.string()),
  importsRemoved: z.array(z.string()),
  exportsAdded: z.array(z.string()),
  exportsRemoved: z.array(z.string()),
});
export type TDrift = z.infer<typeof ZDriftSchema>;

/** Core types passed through as they are (they are plain JSON already). */
const ZAssessmentSchema = z.object({
  version: z.string(),
  entry: z.string(),
  requested: z.object({ capabilities: z.array(z.string()), limits: z.record(z.string(), z.number()) }),
  granted: z.object({ capabilities: z.array(z.string()), limits: z.record(z.string(), z.number()), env: z.array(z.string()) }),
  verification: z.object({ ok: z.boolean(), code: z.string().nullable(), message: z.string().nullable() }),
  policy: z.object({ name: z.string(), revision: z.number() }),
  report: z.custom<WasmReport>(),
  threat: z.custom<ThreatAssessment>(),
  pre: z.custom<Verdict>(),
});

export const ZModuleDetailSchema = z.object({
  name: z.string(),
  versions: z.array(ZVersionSchema),
  /** Null with `assessmentError` when the stored latest version no longer parses. */
  assessment: ZAssessmentSchema.nullable(),
  assessmentError: z.string().nullable(),
  drift: z.array(ZDriftSchema),
  quarantine: ZQuarantineNoteSchema.nullable(),
  recentRuns: z.array(ZRunSummarySchema),
});
export type TModuleDetail = z.infer<typeof ZModuleDetailSchema>;

type Meta = Omit<ModuleVersionRow, 'wasm'>;

const byVersionDesc = (a: { version: string }, b: { version: string }) => semver.rcompare(a.version, b.version);

function signersOf(s: Services, keyids: readonly string[]): TSigner[] {
  return keyids.map((keyid) => {
    const key = s.trust.lookup(keyid);
    return { keyid, name: key?.name ?? null, status: key?.status ?? null };
  });
}

/**
 * A version row whose bytes are read only if something asks for them. The assessment caches
 * verification per row and inspection per digest, so a warm list never loads a module's bytes.
 */
function withLazyWasm(s: Services, meta: Meta): ModuleVersionRow {
  let wasm: Buffer | undefined;
  return Object.defineProperty({ ...meta } as ModuleVersionRow, 'wasm', {
    enumerable: true,
    get: () => (wasm ??= s.modules.find(meta.name, meta.version)?.wasm ?? Buffer.alloc(0)),
  });
}

/** Latest version per name, newest import first. Threat is assessed only for the names returned. */
/** `actor` is who is looking: approvals may depend on who would run the module. */
export function listModules(s: Services, filter: TModuleFilter, actor: string): TModuleListItem[] {
  const groups = new Map<string, Meta[]>();
  for (const row of s.modules.list()) groups.set(row.name, [...(groups.get(row.name) ?? []), row]);
  const search = filter.search?.trim().toLowerCase();
  // One query for every active quarantine instead of one per name (the active set is small).
  const held = new Set(s.quarantine.listActive().map((q) => q.wasmSha256));
  const latest = [...groups.values()]
    .map((versions) => ({ top: [...versions].sort(byVersionDesc)[0]!, count: versions.length }))
    .filter(({ top }) => (!search || top.name.includes(search)) && (!filter.tenant || top.tenant === filter.tenant) && (!filter.source || top.source === filter.source))
    .map((entry) => ({ ...entry, quarantined: held.has(entry.top.wasmSha256) }))
    .filter(({ quarantined }) => filter.quarantined === undefined || quarantined === filter.quarantined)
    .sort((a, b) => b.top.importedAt.getTime() - a.top.importedAt.getTime())
    .slice(0, LIST_LIMIT);
  return latest.map(({ top, count, quarantined }) => {
    const assessed = s.governor.assess(withLazyWasm(s, top), actor);
    return {
      name: top.name,
      latestVersion: top.version,
      versionCount: count,
      tenant: top.tenant,
      source: top.source,
      description: top.description,
      importedAt: top.importedAt.toISOString(),
      wasmSha256: top.wasmSha256,
      signers: signersOf(s, top.signerKeyids),
      threat: assessed.ok ? { score: assessed.value.threat.score, band: assessed.value.threat.band } : null,
      quarantined,
    };
  });
}

const describeImport = (i: WasmReport['imports'][number]) => `${i.module}.${i.name} (${i.kind})`;
const describeExport = (e: WasmReport['exports'][number]) => `${e.name} (${e.kind})`;
const minus = (a: readonly string[], b: readonly string[]) => a.filter((x) => !b.includes(x));

/** Differences between consecutive versions (oldest first), from their stored bytes. */
export function driftOf(rows: readonly ModuleVersionRow[]): TDrift[] {
  const ordered = [...rows].sort((a, b) => semver.compare(a.version, b.version));
  const reports = ordered.map((r) => {
    const inspected = inspectWasm(new Uint8Array(r.wasm));
    return inspected.ok ? inspected.value : undefined;
  });
  return ordered.slice(1).map((to, i) => {
    const from = ordered[i]!;
    const [a, b] = [reports[i], reports[i + 1]];
    const imports = [a?.imports.map(describeImport) ?? [], b?.imports.map(describeImport) ?? []] as const;
    const exports = [a?.exports.map(describeExport) ?? [], b?.exports.map(describeExport) ?? []] as const;
    return {
      from: from.version,
      to: to.version,
      digestChanged: from.wasmSha256 !== to.wasmSha256,
      sizeDelta: to.sizeBytes - from.sizeBytes,
      importsAdded: minus(imports[1], imports[0]),
      importsRemoved: minus(imports[0], imports[1]),
      exportsAdded: minus(exports[1], exports[0]),
      exportsRemoved: minus(exports[0], exports[1]),
    };
  });
}

function assessmentToWire(version: string, a: Assessment) {
  return {
    version,
    entry: a.manifest.entry,
    requested: { capabilities: [...a.manifest.capabilities], limits: { ...a.manifest.limits } },
    granted: { capabilities: [...a.grant.capabilities], limits: { ...a.grant.limits }, env: [...a.grant.env] },
    verification: { ok: a.verified.ok, code: a.verified.code, message: a.verified.message },
    policy: { name: a.policy.name, revision: a.policy.revision },
    report: a.report,
    threat: a.threat,
    pre: a.pre,
  };
}

/** The submission a `submission` version rests on, with the approvals that count for it under today's policy. */
function submissionOf(s: Services, v: Meta): NonNullable<TModuleDetail['versions'][number]['submission']> {
  const id = submissionIdOf(v.envelopeJson);
  const sub = id === undefined ? undefined : s.inbox.get(id);
  if (!sub) return { id: id ?? '(none)', state: 'missing', approvals: [], detail: 'No submission vouches for this version; it does not run.' };
  const quorum = s.inbox.evaluate(sub, s.policy.policy);
  const approvals = quorum.state === 'met' ? quorum.counted.map((c) => ({ approver: c.person.username, keyid: c.keyid, time: c.statement.time, reason: c.statement.reason })) : [];
  return { id: sub.id, state: sub.state, approvals, detail: quorum.detail };
}

/** One module in detail, or undefined when no version of `name` is stored. */
export function moduleDetail(s: Services, name: string, actor: string): TModuleDetail | undefined {
  const versions = s.modules
    .list()
    .filter((r) => r.name === name)
    .sort(byVersionDesc);
  if (versions.length === 0) return undefined;
  const latest = s.modules.find(name, versions[0]!.version)!;
  const assessed = s.governor.assess(latest, actor);
  const recent = versions.slice(0, DRIFT_VERSIONS).flatMap((v) => s.modules.find(name, v.version) ?? []);
  return {
    name,
    versions: versions.map((v) => ({
      id: v.id,
      version: v.version,
      tenant: v.tenant,
      description: v.description,
      source: v.source,
      wasmSha256: v.wasmSha256,
      manifestSha256: v.manifestSha256,
      sizeBytes: v.sizeBytes,
      importedBy: v.importedBy,
      importedAt: v.importedAt.toISOString(),
      signers: signersOf(s, v.signerKeyids),
      quarantined: s.quarantine.active(v.wasmSha256) !== undefined,
      submission: v.source === 'submission' ? submissionOf(s, v) : null,
    })),
    assessment: assessed.ok ? assessmentToWire(latest.version, assessed.value) : null,
    assessmentError: assessed.ok ? null : assessed.message,
    drift: driftOf(recent).reverse(), // newest change first, like the versions table
    quarantine: quarantineNote(s.quarantine.active(latest.wasmSha256)),
    recentRuns: s.runs.list({ module: name, limit: 10 }).map(runSummaryToWire),
  };
}
