/**
 * Proof bundles: what `nightcore audit prove` and `nightcore audit consistency` hand to an auditor,
 * and their verification with nothing but the log's verifier key (no database, no server).
 *
 * Inclusion:   { type, event, leafIndex, treeSize, proof, checkpoint }
 *   event       the event as exported (JSON Lines shape, payload as its JSON value)
 *   proof       RFC 9162 inclusion path, base64 hashes, leaf first
 *   checkpoint  the C2SP signed note for treeSize
 * Consistency: { type, oldCheckpoint, newCheckpoint, proof }
 *
 * The verifier recomputes the event hash from the event's fields (so the event itself is checked,
 * not just a hash someone supplied), derives the leaf, and checks the path against the signed root.
 */
import { z } from 'zod';
import { ok, err, type Result } from '../result';
import { describeIssues } from '../module/manifest';
import { canonicalPayload } from './canonical-payload';
import type { Ed25519Verify } from './ed25519-port';
import { openCheckpoint, type CheckpointNoteCode } from './checkpoint-note';
import { eventHash } from './hash';
import { ZExportedEventSchema, type TExportedEvent } from './exported-event';
import { leafHash, verifyConsistency, verifyInclusion, type Hash } from './merkle';
import type { NoteKey } from './signed-note';

export const INCLUSION_BUNDLE = 'nightcore.audit-inclusion/v1';
export const CONSISTENCY_BUNDLE = 'nightcore.audit-consistency/v1';

export type { TExportedEvent as ExportedEvent } from './exported-event';

const HASH_B64 = /^[A-Za-z0-9+/]{43}=$/;
const MAX_PROOF_HASHES = 64; // a tree of 2^53 leaves needs 53
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** RFC 9162 proof hashes, base64 (canonical: the decoded 32 bytes encode back to the same text). */
const proofHashes = z
  .array(z.string().regex(HASH_B64, 'must be a base64 SHA-256 hash'))
  .max(MAX_PROOF_HASHES)
  .refine((hs) => hs.every((h) => Buffer.from(h, 'base64').toString('base64') === h), 'every hash must be canonical base64');
const signedNote = z.string().min(1).max(64 * 1024);

/**
 * The published formats (docs/formats/audit-inclusion-proof.v1, audit-consistency-proof.v1): the
 * verifiers below read bundles through these, so schema and verifier cannot drift.
 */
export const ZInclusionBundleSchema = z.object({
  type: z.literal(INCLUSION_BUNDLE),
  /** the event as exported (one line of audit export --format jsonl) */
  event: ZExportedEventSchema,
  /** seq - 1 */
  leafIndex: count,
  treeSize: count,
  /** the inclusion path, leaf first */
  proof: proofHashes,
  /** the C2SP signed note for treeSize */
  checkpoint: signedNote,
});
export type InclusionBundle = z.infer<typeof ZInclusionBundleSchema>;

export const ZConsistencyBundleSchema = z.object({
  type: z.literal(CONSISTENCY_BUNDLE),
  oldCheckpoint: signedNote,
  newCheckpoint: signedNote,
  proof: proofHashes,
});
export type ConsistencyBundle = z.infer<typeof ZConsistencyBundleSchema>;

export type BundleCode = 'BUNDLE_MALFORMED' | 'EVENT_HASH_MISMATCH' | 'INCLUSION_INVALID' | 'CONSISTENCY_INVALID' | CheckpointNoteCode;

export const encodeHashes = (hashes: readonly Hash[]): string[] => hashes.map((h) => Buffer.from(h).toString('base64'));

const decodeHashes = (hashes: readonly string[]): Hash[] => hashes.map((h) => new Uint8Array(Buffer.from(h, 'base64')));

/** Why a bundle does not parse, every field named. */
const problems = (error: z.ZodError): string => describeIssues(error).join('; ');

/** The event's own hash, recomputed from its fields as exported; undefined when its payload is not canonical JSON. */
export function recomputeEventHash(e: TExportedEvent): { seq: number; hash: string; recomputed: string } | undefined {
  const { seq, time, actor, action, subject, payload, prevHash, hash } = e;
  const canonical = canonicalPayload(payload);
  if (!canonical.ok) return undefined;
  const recomputed = eventHash({ seq, time, actor, action, subject, payload: canonical.value, prevHash });
  return { seq, hash, recomputed };
}

/** One exported event (a JSON Lines line of `audit export`): well formed, and its content hashes to its `hash`. */
export function checkExportedEvent(value: unknown): Result<TExportedEvent, 'BUNDLE_MALFORMED' | 'EVENT_HASH_MISMATCH'> {
  const parsed = ZExportedEventSchema.safeParse(value);
  if (!parsed.success) return err('BUNDLE_MALFORMED', `the event is malformed: ${problems(parsed.error)}`);
  const event = recomputeEventHash(parsed.data);
  if (!event) return err('BUNDLE_MALFORMED', 'the event payload is not JSON the log could hold');
  if (event.recomputed !== event.hash) return err('EVENT_HASH_MISMATCH', `event seq ${event.seq} does not hash to its stated hash: its content was changed`);
  return ok(parsed.data);
}

export interface InclusionVerified {
  readonly seq: number;
  readonly treeSize: number;
  readonly origin: string;
}

export function verifyInclusionBundle(input: unknown, key: NoteKey, verify: Ed25519Verify): Result<InclusionVerified, BundleCode> {
  const bad = (why: string) => err('BUNDLE_MALFORMED' as const, `inclusion proof is malformed: ${why}`);
  const parsed = ZInclusionBundleSchema.safeParse(input);
  if (!parsed.success) return bad(problems(parsed.error));
  const bundle = parsed.data;
  const proof = decodeHashes(bundle.proof);
  const event = recomputeEventHash(bundle.event);
  if (!event) return bad('the event payload is not JSON the log could hold');

  const head = openCheckpoint(bundle.checkpoint, key, verify);
  if (!head.ok) return head;
  if (head.value.size !== bundle.treeSize) return bad(`treeSize ${bundle.treeSize} is not the checkpoint's size ${head.value.size}`);
  if (event.recomputed !== event.hash) return err('EVENT_HASH_MISMATCH', `event seq ${event.seq} does not hash to its stated hash: its content was changed`);
  if (event.seq !== bundle.leafIndex + 1) return bad(`event seq ${event.seq} is not leaf ${bundle.leafIndex} (leaves are seq - 1)`);
  if (!verifyInclusion(bundle.leafIndex, bundle.treeSize, leafHash(event.hash), proof, head.value.root)) {
    return err('INCLUSION_INVALID', `event seq ${event.seq} is not in the tree of size ${bundle.treeSize} signed by ${key.name}`);
  }
  return ok({ seq: event.seq, treeSize: bundle.treeSize, origin: head.value.origin });
}

export interface ConsistencyVerified {
  readonly oldSize: number;
  readonly newSize: number;
  readonly origin: string;
}

export function verifyConsistencyBundle(input: unknown, key: NoteKey, verify: Ed25519Verify): Result<ConsistencyVerified, BundleCode> {
  const bad = (why: string) => err('BUNDLE_MALFORMED' as const, `consistency proof is malformed: ${why}`);
  const parsed = ZConsistencyBundleSchema.safeParse(input);
  if (!parsed.success) return bad(problems(parsed.error));
  const proof = decodeHashes(parsed.data.proof);
  const older = openCheckpoint(parsed.data.oldCheckpoint, key, verify);
  if (!older.ok) return older;
  const newer = openCheckpoint(parsed.data.newCheckpoint, key, verify);
  if (!newer.ok) return newer;
  return checkConsistency(older.value, newer.value, proof);
}

/** The consistency check itself, shared with the witness (which holds the old head already). */
export function checkConsistency(
  older: { readonly size: number; readonly root: Hash; readonly origin: string },
  newer: { readonly size: number; readonly root: Hash; readonly origin: string },
  proof: readonly Hash[],
): Result<ConsistencyVerified, BundleCode> {
  if (older.origin !== newer.origin) return err('ORIGIN_MISMATCH', `the checkpoints are of different logs ("${older.origin}", "${newer.origin}")`);
  if (newer.size < older.size) return err('CONSISTENCY_INVALID', `the new tree (size ${newer.size}) is smaller than the old one (size ${older.size}): a rollback`);
  const consistent = older.size === 0 ? proof.length === 0 : verifyConsistency(older.size, newer.size, older.root, newer.root, proof);
  if (!consistent) {
    return err('CONSISTENCY_INVALID', `the tree of size ${newer.size} does not extend the tree of size ${older.size}: history was rewritten or forked`);
  }
  return ok({ oldSize: older.size, newSize: newer.size, origin: older.origin });
}
