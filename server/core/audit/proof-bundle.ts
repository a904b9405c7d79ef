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
import { ok, err, type Result } from '../result';
import { canonicalPayload } from './canonical-payload';
import type { Ed25519Verify } from './ed25519-port';
import { openCheckpoint, type CheckpointNoteCode } from './checkpoint-note';
import { eventHash } from './hash';
import { ZExportedEventSchema } from './exported-event';
import { HASH_BYTES, leafHash, verifyConsistency, verifyInclusion, type Hash } from './merkle';
import type { NoteKey } from './signed-note';

export const INCLUSION_BUNDLE = 'nightcore.audit-inclusion/v1';
export const CONSISTENCY_BUNDLE = 'nightcore.audit-consistency/v1';

export interface ExportedEvent {
  readonly seq: number;
  readonly time: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly payload: unknown;
  readonly prevHash: string;
  readonly hash: string;
}

export interface InclusionBundle {
  readonly type: typeof INCLUSION_BUNDLE;
  readonly event: ExportedEvent;
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly proof: readonly string[];
  readonly checkpoint: string;
}

export interface ConsistencyBundle {
  readonly type: typeof CONSISTENCY_BUNDLE;
  readonly oldCheckpoint: string;
  readonly newCheckpoint: string;
  readonly proof: readonly string[];
}

export type BundleCode = 'BUNDLE_MALFORMED' | 'EVENT_HASH_MISMATCH' | 'INCLUSION_INVALID' | 'CONSISTENCY_INVALID' | CheckpointNoteCode;

export const encodeHashes = (hashes: readonly Hash[]): string[] => hashes.map((h) => Buffer.from(h).toString('base64'));

const HASH_B64 = /^[A-Za-z0-9+/]{43}=$/;
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_PROOF_HASHES = 64; // a tree of 2^53 leaves needs 53

function decodeHashes(value: unknown): Hash[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_PROOF_HASHES) return undefined;
  const out: Hash[] = [];
  for (const v of value) {
    if (typeof v !== 'string' || !HASH_B64.test(v)) return undefined;
    const bytes = Buffer.from(v, 'base64');
    if (bytes.length !== HASH_BYTES || bytes.toString('base64') !== v) return undefined;
    out.push(new Uint8Array(bytes));
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The event's own hash, recomputed from its fields; undefined when a field is missing or mistyped. */
function recomputeEventHash(e: unknown): { seq: number; hash: string; recomputed: string } | undefined {
  const parsed = ZExportedEventSchema.safeParse(e);
  if (!parsed.success) return undefined;
  const { seq, time, actor, action, subject, payload, prevHash, hash } = parsed.data;
  const canonical = canonicalPayload(payload);
  if (!canonical.ok) return undefined;
  const recomputed = eventHash({ seq, time, actor, action, subject, payload: canonical.value, prevHash });
  return { seq, hash, recomputed };
}

export interface InclusionVerified {
  readonly seq: number;
  readonly treeSize: number;
  readonly origin: string;
}

export function verifyInclusionBundle(input: unknown, key: NoteKey, verify: Ed25519Verify): Result<InclusionVerified, BundleCode> {
  const bad = (why: string) => err('BUNDLE_MALFORMED' as const, `inclusion proof is malformed: ${why}`);
  if (!isObject(input) || input.type !== INCLUSION_BUNDLE) return bad(`type must be "${INCLUSION_BUNDLE}"`);
  if (typeof input.checkpoint !== 'string') return bad('checkpoint must be a signed note');
  if (!isCount(input.leafIndex) || !isCount(input.treeSize)) return bad('leafIndex and treeSize must be non-negative integers');
  const proof = decodeHashes(input.proof);
  if (!proof) return bad(`proof must be at most ${MAX_PROOF_HASHES} base64 SHA-256 hashes`);
  const event = recomputeEventHash(input.event);
  if (!event) return bad('event must have seq, time, actor, action, subject, a JSON payload, prevHash and hash');

  const head = openCheckpoint(input.checkpoint, key, verify);
  if (!head.ok) return head;
  if (head.value.size !== input.treeSize) return bad(`treeSize ${input.treeSize} is not the checkpoint's size ${head.value.size}`);
  if (event.recomputed !== event.hash) return err('EVENT_HASH_MISMATCH', `event seq ${event.seq} does not hash to its stated hash: its content was changed`);
  if (event.seq !== input.leafIndex + 1) return bad(`event seq ${event.seq} is not leaf ${input.leafIndex} (leaves are seq - 1)`);
  if (!verifyInclusion(input.leafIndex, input.treeSize, leafHash(event.hash), proof, head.value.root)) {
    return err('INCLUSION_INVALID', `event seq ${event.seq} is not in the tree of size ${input.treeSize} signed by ${key.name}`);
  }
  return ok({ seq: event.seq, treeSize: input.treeSize, origin: head.value.origin });
}

export interface ConsistencyVerified {
  readonly oldSize: number;
  readonly newSize: number;
  readonly origin: string;
}

export function verifyConsistencyBundle(input: unknown, key: NoteKey, verify: Ed25519Verify): Result<ConsistencyVerified, BundleCode> {
  const bad = (why: string) => err('BUNDLE_MALFORMED' as const, `consistency proof is malformed: ${why}`);
  if (!isObject(input) || input.type !== CONSISTENCY_BUNDLE) return bad(`type must be "${CONSISTENCY_BUNDLE}"`);
  if (typeof input.oldCheckpoint !== 'string' || typeof input.newCheckpoint !== 'string') return bad('oldCheckpoint and newCheckpoint must be signed notes');
  const proof = decodeHashes(input.proof);
  if (!proof) return bad(`proof must be at most ${MAX_PROOF_HASHES} base64 SHA-256 hashes`);
  const older = openCheckpoint(input.oldCheckpoint, key, verify);
  if (!older.ok) return older;
  const newer = openCheckpoint(input.newCheckpoint, key, verify);
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
