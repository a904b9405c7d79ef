/**
 * The published formats: each one's zod schema (the one the code validates with) and where people
 * read about it. `npm run docs:formats` turns them into JSON Schemas under docs/formats/, and
 * scripts/formats/formats.test.ts fails when a committed schema drifts from its zod schema.
 *
 * A format's version changes only with a documented upgrade path (docs/formats/CHANGELOG.md): when a
 * zod schema here changes in a way old documents no longer pass, bump `version`, keep the old
 * schema file, and say in the change log how an old document is read or upgraded.
 */
import type { z } from 'zod';
import { MANIFEST_FORMAT, ZManifestSchema } from '../../server/core/module/manifest';
import { ZEnvelopeSchema } from '../../server/core/module/dsse';
import { parseManifestText, verifyBundle, type KeyRole, type TrustedKey, type VerifyContext } from '../../server/core/module/verify';
import { parsePolicyText, POLICY_FORMAT, ZPolicySchema } from '../../server/core/guardian/schema';
import { canonicalStatement, openStatement, ZApprovalStatementSchema, ZSignedApprovalSchema, type TSignedApproval } from '../../server/core/inbox/statement';
import { EXPORTED_EVENT_FORMAT, ZExportedEventSchema } from '../../server/core/audit/exported-event';
import { DECISION_FORMAT } from '../../server/core/guardian/decision-record';
import { parseDecisionRecord, ZDecisionRecordSchema } from '../../server/core/guardian/decision-record-schema';
import { CHECKPOINT_TYPE, readCheckpoint, ZAuditCheckpointSchema } from '../../server/core/audit/checkpoint';
import { openCheckpoint } from '../../server/core/audit/checkpoint-note';
import { checkpointCheckFor, type KeyPeriod } from '../../server/core/audit/key-periods';
import { openRotation, ROTATION_FORMAT, ZRotationRecordSchema } from '../../server/core/audit/key-rotation';
import {
  checkExportedEvent,
  CONSISTENCY_BUNDLE,
  INCLUSION_BUNDLE,
  verifyConsistencyBundle,
  verifyInclusionBundle,
  ZConsistencyBundleSchema,
  ZInclusionBundleSchema,
} from '../../server/core/audit/proof-bundle';
import { keyIdOf } from '../../server/core/crypto/keys';
import { BACKUP_FORMAT, openBackupStatement, ZBackupStatementSchema } from '../../server/services/backup-statement';
import { verifyEd25519Node as verify } from '../../server/services/server-key';

/** A vector file and the vector being read: some readers need a key or a period the file gives. */
export interface VectorContext {
  readonly file: Readonly<Record<string, unknown>>;
  readonly vector: Readonly<Record<string, unknown>>;
}
export type ReaderResult = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };
/** Night Core's own reader or verifier of a format: what a vector's `valid` and `code` are the answer of. */
export type FormatReader = (value: unknown, ctx: VectorContext) => ReaderResult;

const b64 = (text: unknown) => new Uint8Array(Buffer.from(String(text), 'base64'));
/** `{ name: { publicKey, fromSeq, untilSeq } }` in a vector file, as the key history a verifier holds. */
const periodsOf = (file: VectorContext['file']): KeyPeriod[] =>
  Object.values(file.keys as Record<string, { publicKey: string; fromSeq: number; untilSeq: number | null }>).map((k) => {
    const publicKey = b64(k.publicKey);
    return { keyid: keyIdOf(publicKey), publicKey, fromSeq: k.fromSeq, untilSeq: k.untilSeq, source: 'log' };
  });
const noteKey = (file: VectorContext['file']) => ({ name: String(file.origin), publicKey: b64(file.key) });
/** `{ name: { publicKey, role, revokedAt? } }` in a vector file, as the trust store a bundle verifier holds. */
const trustStoreOf = (file: VectorContext['file']): VerifyContext => {
  const keys = Object.entries(file.keys as Record<string, { publicKey: string; role: KeyRole; revokedAt?: string }>).map(([name, k]): TrustedKey => {
    const publicKey = b64(k.publicKey);
    const revokedAt = k.revokedAt === undefined ? null : new Date(k.revokedAt);
    return { keyid: keyIdOf(publicKey), name, role: k.role, publicKey, status: revokedAt ? 'revoked' : 'active', revokedAt };
  });
  const byId = new Map(keys.map((k) => [k.keyid, k]));
  return { lookupKey: (keyid) => byId.get(keyid), requiredRole: 'publisher', signedAt: new Date(String(file.signedAt)) };
};
/** A signed approval as the quorum check and offline verify read it: the key by keyid from the trust store, then openStatement. */
const readSignedApproval: FormatReader = (value, { file }) => {
  const keyid = (value as { keyid?: unknown } | null)?.keyid;
  const publicKey = Object.values(file.keys as Record<string, string>).map(b64).find((k) => keyIdOf(k) === keyid);
  if (!publicKey) return { ok: false, code: 'KEY_UNKNOWN', message: 'The signing key is not in the trust store.' };
  return openStatement(value as TSignedApproval, publicKey);
};

export interface PublishedFormat {
  /** file stem: docs/formats/<id>.v<version>.schema.json and vectors/<id>.v<version>.json */
  readonly id: string;
  readonly version: number;
  /** the `format` string documents of this kind carry, where they carry one */
  readonly identifier: string | null;
  readonly title: string;
  readonly description: string;
  readonly docs: string;
  readonly schema: z.ZodType;
  /** The real reader or verifier, when it checks more than the schema (signatures, hashes, periods) */
  readonly read?: FormatReader;
}

/** Formats that are not JSON (no JSON Schema): their vectors are checked by the reader only. */
export interface TextFormat {
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly docs: string;
  readonly read: FormatReader;
}

export const FORMATS: readonly PublishedFormat[] = [
  {
    id: 'module-manifest',
    version: 1,
    identifier: MANIFEST_FORMAT,
    title: 'Module bundle manifest (nightcore.json)',
    description: 'What a signed module bundle asks for: name, version, tenant, entry, capabilities, limits, and the digest of module.wasm. Signed as the canonical (RFC 8785) payload of the DSSE envelope.',
    docs: 'docs/bundle-format.md',
    schema: ZManifestSchema,
    // What verifyBundle, the module registry and inbox review read nightcore.json with.
    read: (value) => parseManifestText(JSON.stringify(value)),
  },
  {
    id: 'dsse-envelope',
    version: 1,
    identifier: null,
    title: 'DSSE envelope (nightcore.sig.json)',
    description: 'The envelope carrying the manifest and one or more Ed25519 signatures over its DSSE pre-authentication encoding. Trust comes only from keys in the trust store.',
    docs: 'docs/bundle-format.md',
    schema: ZEnvelopeSchema,
    // The whole bundle check, with the example bundle's nightcore.json and module.wasm beside the envelope.
    read: (value, { file }) =>
      verifyBundle({ wasm: b64(file.wasm), manifestText: JSON.stringify(file.manifest), envelopeText: JSON.stringify(value) }, trustStoreOf(file)),
  },
  {
    id: 'policy',
    version: 1,
    identifier: POLICY_FORMAT,
    title: 'Guardian policy',
    description: 'The rules every run is judged by before and after it executes, threat weights and bands, and the approval quorum. Anything not allowed is denied.',
    docs: 'docs/policy-reference.md',
    schema: ZPolicySchema,
    // What the policy store, policy revisions and simulation read a policy file with.
    read: (value) => parsePolicyText(JSON.stringify(value)),
  },
  {
    id: 'approval-statement',
    version: 1,
    identifier: 'nightcore.approval/v1',
    title: 'Approval statement (what an approver signs)',
    description: 'A decision on a submission or a quarantine, bound to the wasm and manifest digests and the policy revision; signed canonical JSON.',
    docs: 'docs/approvals.md',
    schema: ZApprovalStatementSchema,
    // What signing and openStatement validate a statement with (and canonicalise it for the signature).
    read: (value) => canonicalStatement(value),
  },
  {
    id: 'signed-approval',
    version: 1,
    identifier: null,
    title: 'Signed approval (how a statement travels)',
    description: 'The canonical statement as base64, the approver key id and the Ed25519 signature.',
    docs: 'docs/approvals.md',
    schema: ZSignedApprovalSchema,
    read: readSignedApproval,
  },
  {
    id: 'audit-event',
    version: 1,
    identifier: EXPORTED_EVENT_FORMAT,
    title: 'Audit event as exported (one JSON Lines line of audit export; the event of an inclusion proof)',
    description: 'seq, time, actor, action, subject, the payload as JSON, prevHash and hash = SHA-256 over the canonical event and the previous hash. Decision records are the payload of run.decided events.',
    docs: 'docs/audit-log.md',
    schema: ZExportedEventSchema,
    read: (value) => checkExportedEvent(value),
  },
  {
    id: 'decision-record',
    version: 1,
    identifier: DECISION_FORMAT,
    title: 'Decision record (the payload of run.decided)',
    description: 'One account of a governed run: module and signers, policy, verification, threat score, grant, input, approval, pre and post verdicts with every rule, backend, execution and the decision. Every version written since the first release reads with this schema (later fields are optional: absent means not recorded).',
    docs: 'docs/decision-record.md',
    schema: ZDecisionRecordSchema,
    read: (value) => parseDecisionRecord(value),
  },
  {
    id: 'audit-checkpoint',
    version: 1,
    identifier: CHECKPOINT_TYPE,
    title: 'Audit checkpoint (a row of audit_checkpoints)',
    description: 'The server key\'s signature over {hash, seq, time, type} of the chain head, and the C2SP signed note carrying the RFC 9162 tree head. Valid only if the key may sign that seq (its period in the key history).',
    docs: 'docs/audit-log.md',
    schema: ZAuditCheckpointSchema,
    read: (value, { file }) => {
      const cp = readCheckpoint(value);
      return cp.ok ? checkpointCheckFor(periodsOf(file), verify)(cp.value) : cp;
    },
  },
  {
    id: 'audit-inclusion-proof',
    version: 1,
    identifier: INCLUSION_BUNDLE,
    title: 'Inclusion proof bundle (nightcore audit prove)',
    description: 'An exported event, its leaf index, the RFC 9162 inclusion path and the signed checkpoint of the tree it is in: verifiable with the log\'s verifier key alone.',
    docs: 'docs/audit-log.md',
    schema: ZInclusionBundleSchema,
    read: (value, { file }) => verifyInclusionBundle(value, noteKey(file), verify),
  },
  {
    id: 'audit-consistency-proof',
    version: 1,
    identifier: CONSISTENCY_BUNDLE,
    title: 'Consistency proof bundle (nightcore audit consistency)',
    description: 'Two signed checkpoints and the RFC 9162 proof that the newer tree extends the older one (no rewrite, no fork, no rollback).',
    docs: 'docs/audit-log.md',
    schema: ZConsistencyBundleSchema,
    read: (value, { file }) => verifyConsistencyBundle(value, noteKey(file), verify),
  },
  {
    id: 'server-key-rotation',
    version: 1,
    identifier: ROTATION_FORMAT,
    title: 'Server key rotation (the payload of server.key_rotated)',
    description: 'The handover from one server key to the next at one seq and chain hash, signed by both keys: the former key\'s checkpoints count up to that seq, the new key\'s from the next.',
    docs: 'docs/audit-log.md',
    schema: ZRotationRecordSchema,
    read: (value, { file, vector }) => openRotation(value, b64((file.keys as Record<string, string>)[String(vector.fromKey ?? 'former')]), verify),
  },
  {
    id: 'backup-statement',
    version: 1,
    identifier: BACKUP_FORMAT,
    title: 'Backup statement (what nightcore backup signs)',
    description: 'When, the schema, the chain head and the server key of a backup file, and the digest of each secret file it carries; signed by the server key over its canonical JSON.',
    docs: 'docs/operations.md',
    schema: ZBackupStatementSchema,
    read: (value, { file, vector }) => openBackupStatement(JSON.stringify(value), String(vector.signature), b64(file.key), verify),
  },
];

export const TEXT_FORMATS: readonly TextFormat[] = [
  {
    id: 'checkpoint-note',
    version: 1,
    title: 'Checkpoint (C2SP signed note with a tlog-checkpoint body)',
    docs: 'docs/audit-log.md',
    read: (value, { file }) => openCheckpoint(String(value), noteKey(file), verify),
  },
];
