/**
 * Accepted module versions: verification against the trust store, anti-rollback history, and the
 * import itself, written together with its audit event. A rejected import is audited too.
 */
import { and, desc, eq } from 'drizzle-orm';
import semver from 'semver';
import type { Db } from '../../db/client';
import { moduleVersions } from '../../db/schema';
import { err, ok, type Result } from '../core/result';
import { getTableColumns } from 'drizzle-orm';
import { verifyBundle, parseManifestText, type Signer, type VerifiedModule, type VerifyCode, type VerifyContext } from '../core/module/verify';
import { verifyLegacyTenant, legacyIdentity, legacyOrigin, type LegacyOrigin } from '../core/module/legacy';
import { canonicalJson } from '../core/module/canonical';
import type { TManifest } from '../core/module/manifest';
import { sha256Hex } from '../core/crypto/digest';
import type { TrustStore } from './trust-store';
import type { AuditLog } from './audit-log';
import { readModuleFolder, type ModuleFolder } from './bundle-files';
import type { Reverification, StoredModule } from '../core/run';
import { submissionEnvelope } from '../core/inbox/module-source';

export type { Reverification };

export type ModuleVersionRow = typeof moduleVersions.$inferSelect;
export type FolderCode = 'NOT_A_MODULE_FOLDER' | 'READ_FAILED';
export type ImportCode = VerifyCode | FolderCode | 'LEGACY_NOT_ALLOWED';

export interface ImportOptions {
  /**
   * A legacy tenant folder signs only its code; its name and version are the folder's claim. Importing
   * one is therefore an admin decision (the console requires keys.manage, the CLI an explicit
   * --legacy), refused unless the caller says it was taken.
   */
  readonly allowLegacy?: boolean;
}

/** How a legacy tenant folder is kept in envelope_json, so it can be verified again later. */
interface StoredLegacy {
  readonly format: 'nightcore.legacy-signature/v1';
  readonly folderName: string;
  readonly sigText: string;
  readonly pubkeyText: string;
  readonly sha256Text: string;
  readonly manifestText: string;
}

export interface Verification {
  readonly folder: ModuleFolder;
  readonly verified: VerifiedModule;
}

/** Judges a module row of source `submission` (the Agent Inbox answers: server/services/inbox-modules.ts). */
export type SubmissionTrust = (row: StoredModule) => Reverification;

/** An approved submission, as the registry stores it for running. */
export interface ApprovedSubmission {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly manifestJson: string;
  readonly manifestSha256: string;
  readonly wasm: Uint8Array;
  readonly wasmSha256: string;
}

export class ModuleRegistry {
  private readonly reverified = new Map<number, { generation: string; result: Reverification }>();
  /** Until the inbox is wired, a submission row verifies as nothing (default deny). */
  private submissionTrust: SubmissionTrust = (row) => ({
    ok: false, code: 'NOT_APPROVED', message: 'No approval source is configured for agent submissions.', manifest: null, signers: [], legacy: null,
  });

  constructor(
    private readonly db: Db,
    private readonly trust: TrustStore,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  /** Verifies a bundle or legacy tenant folder without changing anything. */
  verifyFolder(dir: string): Result<Verification, ImportCode> {
    const read = readModuleFolder(dir);
    if (!read.ok) return read;
    const verified = this.verifyContents(read.value);
    return verified.ok ? ok({ folder: read.value, verified: verified.value }) : verified;
  }

  /**
   * `antiRollback: false` skips the version history (a stored version is checked again, not
   * accepted anew); `storedDigest` is the digest that identifies it when already known, so the
   * manifest is not parsed again just to compute it.
   */
  verifyContents(folder: ModuleFolder, options: { antiRollback?: boolean; storedDigest?: string } = {}): Result<VerifiedModule, VerifyCode> {
    const name = folder.kind === 'bundle' ? peekName(folder.manifestText) : legacyName(folder.manifestText, folder.folderName);
    const highestAccepted = options.antiRollback === false ? undefined : this.highestAccepted(name);
    const ctx: VerifyContext = {
      lookupKey: this.trust.lookup,
      requiredRole: 'publisher',
      signedAt: this.firstSeen(folder, options.storedDigest) ?? this.now(),
      highestAccepted,
      acceptedVersionsOfDigest: options.antiRollback === false ? undefined : this.versionsOfNameWithDigest(name, sha256Hex(folder.wasm)),
    };
    return folder.kind === 'bundle' ? verifyBundle(folder, ctx) : verifyLegacyTenant(folder, ctx);
  }

  /**
   * Verifies a stored version again: a key revoked since the import stops it from running.
   * Cached per row until the trust store changes (in this process or another).
   */
  reverify(row: StoredModule): Reverification {
    // Never cached: its quorum depends on time, people and keys, not only on the trust store.
    if (row.source === 'submission') return this.submissionTrust(row);
    const generation = this.trust.generation();
    const cached = this.reverified.get(row.id);
    if (cached && cached.generation === generation) return cached.result;
    // One parse of the manifest (inside the verifier); the stored one is read only when that fails.
    const storedDigest = row.source === 'bundle' ? row.manifestSha256 : row.wasmSha256;
    const verified = this.verifyContents(storedFolder(row), { antiRollback: false, storedDigest });
    const stored = verified.ok ? undefined : parseManifestText(row.manifestJson);
    const result: Reverification = verified.ok
      ? { ok: true, code: null, message: null, manifest: verified.value.manifest, signers: verified.value.signers, legacy: originOf(row) }
      : { ok: false, code: verified.code, message: verified.message, manifest: stored?.ok ? stored.value : null, signers: [], legacy: originOf(row) };
    if (row.id < 1) return result; // not stored (a dry run of a folder): nothing to cache by
    if (this.reverified.size >= 1024) this.reverified.clear();
    this.reverified.set(row.id, { generation, result });
    return result;
  }

  trustSubmissionsWith(judge: SubmissionTrust): void {
    this.submissionTrust = judge;
  }

  /**
   * Stores an approved agent submission so it runs like any module (source `submission`; trust is
   * judged again before every run, see SubmissionTrust). The same name and version already stored
   * with the same digests is that module (a signed bundle of the same manifest, or a second
   * approval); with other code it is refused: a version names one code, whoever brought it.
   * The caller holds the transaction that approved the submission.
   */
  storeApprovedSubmission(
    sub: ApprovedSubmission, approvers: readonly string[], actor: string,
  ): Result<ModuleVersionRow, 'VERSION_REUSED' | 'MANIFEST_INVALID'> {
    const existing = this.find(sub.name, sub.version);
    if (existing) {
      if (existing.wasmSha256 === sub.wasmSha256 && existing.manifestSha256 === sub.manifestSha256) return ok(existing);
      return err('VERSION_REUSED', `${sub.name}@${sub.version} is already stored with other code; submit the new code under a new version`);
    }
    const manifest = parseManifestText(sub.manifestJson);
    if (!manifest.ok) return manifest;
    const row = {
      name: sub.name,
      version: sub.version,
      tenant: manifest.value.tenant,
      description: manifest.value.description,
      source: 'submission' as const,
      wasmSha256: sub.wasmSha256,
      manifestSha256: sub.manifestSha256,
      manifestJson: sub.manifestJson,
      envelopeJson: submissionEnvelope(sub.id),
      signerKeyids: [...approvers],
      wasm: Buffer.from(sub.wasm),
      sizeBytes: sub.wasm.length,
      importedBy: actor,
      importedAt: this.now(),
    };
    const stored = this.audit.record(
      (inserted: ModuleVersionRow) => ({
        actor,
        action: 'module.imported',
        subject: `module:${inserted.name}@${inserted.version}`,
        payload: { id: inserted.id, source: 'submission', submission: sub.id, wasmSha256: sub.wasmSha256, manifestSha256: sub.manifestSha256, approvals: [...approvers] },
      }),
      () => this.db.insert(moduleVersions).values(row).returning().get(),
    );
    return ok(stored);
  }

  /** Verifies and stores a module folder on disk (the CLI's `import`). */
  importFolder(dir: string, actor: string, options: ImportOptions = {}): Result<ModuleVersionRow, ImportCode> {
    const read = readModuleFolder(dir);
    return read.ok ? this.importContents(read.value, actor, options) : read;
  }

  /**
   * Verifies and stores a module folder's contents, wherever they came from (a directory, or an
   * upload held in memory); the import and its audit event commit together.
   */
  importContents(folder: ModuleFolder, actor: string, options: ImportOptions = {}): Result<ModuleVersionRow, VerifyCode | 'LEGACY_NOT_ALLOWED'> {
    if (folder.kind === 'legacy' && options.allowLegacy !== true) {
      const message = `${folder.folderName} is a legacy tenant folder: its name and version are unsigned, so importing it is an admin action (console: an admin; CLI: --legacy)`;
      this.audit.append({
        actor,
        action: 'module.rejected',
        subject: `folder:${folder.dir}`,
        payload: { code: 'LEGACY_NOT_ALLOWED', message, wasmSha256: sha256Hex(folder.wasm) },
      });
      return err('LEGACY_NOT_ALLOWED', message);
    }
    const verified = this.verifyContents(folder);
    if (!verified.ok) {
      this.audit.append({
        actor,
        action: 'module.rejected',
        subject: `folder:${folder.dir}`,
        payload: { code: verified.code, message: verified.message, wasmSha256: sha256Hex(folder.wasm) },
      });
      return verified;
    }
    const v = verified.value;
    const existing = this.find(v.manifest.name, v.manifest.version);
    if (existing) return ok(existing); // same version, same digest (the verifier refused anything else)
    const row = {
      name: v.manifest.name,
      version: v.manifest.version,
      tenant: v.manifest.tenant,
      description: v.manifest.description,
      source: v.source,
      wasmSha256: v.wasmSha256,
      manifestSha256: v.manifestSha256,
      manifestJson: v.manifestCanonical,
      envelopeJson: folder.kind === 'bundle' ? folder.envelopeText : JSON.stringify(legacyRecord(folder)),
      signerKeyids: v.signers.map((s) => s.keyid),
      wasm: Buffer.from(folder.wasm),
      sizeBytes: folder.wasm.length,
      importedBy: actor,
      importedAt: this.now(),
    };
    const stored = this.audit.record(
      (inserted: ModuleVersionRow) => ({
        actor,
        action: 'module.imported',
        subject: `module:${inserted.name}@${inserted.version}`,
        payload: {
          id: inserted.id,
          source: inserted.source,
          wasmSha256: inserted.wasmSha256,
          manifestSha256: inserted.manifestSha256,
          signers: v.signers.map((s) => ({ keyid: s.keyid, name: s.name })),
          // The unsigned origin of a legacy import: who vouched for which folder's claims.
          legacy: folder.kind === 'legacy' ? { ...legacyOrigin(folder) } : null,
        },
      }),
      () => this.db.insert(moduleVersions).values(row).returning().get(),
    );
    return ok(stored);
  }

  /**
   * A verified folder as the governor sees a stored module, without storing it (for dry runs):
   * the stored row when this exact version was imported, else a transient one (id 0).
   */
  asStored(v: Verification): StoredModule {
    const found = this.find(v.verified.manifest.name, v.verified.manifest.version);
    if (found && found.wasmSha256 === v.verified.wasmSha256) return found;
    const folder = v.folder;
    return {
      id: 0,
      name: v.verified.manifest.name,
      version: v.verified.manifest.version,
      tenant: v.verified.manifest.tenant,
      wasmSha256: v.verified.wasmSha256,
      manifestSha256: v.verified.manifestSha256,
      sizeBytes: folder.wasm.length,
      wasm: folder.wasm,
      source: folder.kind,
      manifestJson: v.verified.manifestCanonical,
      envelopeJson: folder.kind === 'bundle' ? folder.envelopeText : JSON.stringify(legacyRecord(folder)),
    };
  }

  find(name: string, version: string): ModuleVersionRow | undefined {
    return this.db
      .select()
      .from(moduleVersions)
      .where(and(eq(moduleVersions.name, name), eq(moduleVersions.version, version)))
      .get();
  }

  /** Every stored version whose wasm has this digest (usually one), oldest first. */
  versionsWithDigest(wasmSha256: string): { name: string; version: string }[] {
    return this.db
      .select({ name: moduleVersions.name, version: moduleVersions.version })
      .from(moduleVersions)
      .where(eq(moduleVersions.wasmSha256, wasmSha256))
      .orderBy(moduleVersions.importedAt)
      .all();
  }

  /** The highest accepted version of a name (what `run <name>` runs). */
  latest(name: string): ModuleVersionRow | undefined {
    const best = this.highestAccepted(name);
    return best ? this.find(name, best.version) : undefined;
  }

  /** The highest accepted version of a name, for anti-rollback. */
  highestAccepted(name: string): { version: string; wasmSha256: string } | undefined {
    if (!name) return undefined;
    const rows = this.db
      .select({ version: moduleVersions.version, wasmSha256: moduleVersions.wasmSha256 })
      .from(moduleVersions)
      .where(eq(moduleVersions.name, name))
      .all();
    return rows.reduce<{ version: string; wasmSha256: string } | undefined>(
      (best, r) => (!best || semver.gt(r.version, best.version) ? r : best),
      undefined,
    );
  }

  /** Versions of `name` already accepted with this wasm digest (bundle or legacy): old code must not return as new. */
  private versionsOfNameWithDigest(name: string, wasmSha256: string): string[] {
    if (!name) return [];
    return this.db
      .select({ version: moduleVersions.version })
      .from(moduleVersions)
      .where(and(eq(moduleVersions.name, name), eq(moduleVersions.wasmSha256, wasmSha256)))
      .all()
      .map((r) => r.version);
  }

  /**
   * Trusted signing time: when Night Core first stored this exact manifest (which pins the bytes).
   * Never a time the bundle claims. Undefined for something never imported: then it is "now".
   */
  private firstSeen(folder: ModuleFolder, knownDigest?: string): Date | undefined {
    // A legacy signature covers only the wasm bytes, so for legacy folders the bytes identify it.
    const digest = knownDigest ?? (folder.kind === 'bundle' ? manifestDigest(folder.manifestText) : sha256Hex(folder.wasm));
    if (!digest) return undefined;
    const column = folder.kind === 'bundle' ? moduleVersions.manifestSha256 : moduleVersions.wasmSha256;
    const row = this.db
      .select({ importedAt: moduleVersions.importedAt })
      .from(moduleVersions)
      .where(and(eq(column, digest), eq(moduleVersions.source, folder.kind)))
      .orderBy(moduleVersions.importedAt)
      .limit(1)
      .get();
    return row?.importedAt;
  }

  list(): Omit<ModuleVersionRow, 'wasm'>[] {
    const { wasm: _wasm, ...columns } = getTableColumns(moduleVersions);
    void _wasm;
    return this.db.select(columns).from(moduleVersions).orderBy(desc(moduleVersions.importedAt)).all();
  }
}

/** Best-effort read of the manifest name for history lookups; the verifier does the real validation. */
function peekName(manifestText: string): string {
  try {
    const parsed: unknown = JSON.parse(manifestText);
    const name = (parsed as { name?: unknown })?.name;
    return typeof name === 'string' ? name : '';
  } catch {
    return '';
  }
}


function legacyName(manifestText: string, folderName: string): string {
  const identity = legacyIdentity(manifestText, folderName);
  return identity.ok ? identity.value.name : '';
}

function legacyRecord(folder: Extract<ModuleFolder, { kind: 'legacy' }>): StoredLegacy {
  const { folderName, sigText, pubkeyText, sha256Text, manifestText } = folder;
  return { format: 'nightcore.legacy-signature/v1', folderName, sigText, pubkeyText, sha256Text, manifestText };
}

/** The recorded origin of a legacy row (from its stored folder record); null for a bundle. */
export function originOf(row: { readonly source: string; readonly envelopeJson: string }): LegacyOrigin | null {
  if (row.source !== 'legacy') return null;
  try {
    const stored = JSON.parse(row.envelopeJson) as StoredLegacy;
    return legacyOrigin({ folderName: String(stored.folderName), manifestText: String(stored.manifestText) });
  } catch {
    // A damaged record is still a legacy module: flag it, with what can be said.
    return { format: 'nightcore.legacy-signature/v1', folderName: '(unreadable)', unsignedManifestSha256: sha256Hex('') };
  }
}

/** Rebuilds what was imported from the stored row, for verification at run time. */
function storedFolder(row: StoredModule): ModuleFolder {
  const wasm = new Uint8Array(row.wasm);
  if (row.source === 'bundle') return { kind: 'bundle', dir: '(stored)', wasm, manifestText: row.manifestJson, envelopeText: row.envelopeJson };
  const legacy = JSON.parse(row.envelopeJson) as StoredLegacy;
  return { kind: 'legacy', dir: '(stored)', wasm, ...legacy };
}

/** SHA-256 of the canonical manifest, as the registry stores it; undefined when it does not parse. */
function manifestDigest(manifestText: string): string | undefined {
  const parsed = parseManifestText(manifestText);
  if (!parsed.ok) return undefined;
  const canonical = canonicalJson(parsed.value);
  return canonical.ok ? sha256Hex(canonical.value) : undefined;
}
