/**
 * Signed checkpoints: "the chain had head `hash` at `seq`", signed with the server key. Hashes alone
 * only prove the rows agree with each other; someone who can write the database can recompute the
 * whole chain. A checkpoint needs the server's private key, so a rewrite or a truncation behind one
 * is caught. Ed25519 comes in through injected functions, so the core does not care which
 * implementation is wired.
 */
import { z } from 'zod';
import { ok, err, type Result } from '../result';
import { describeIssues } from '../module/manifest';
import { openCheckpoint, readTreeHead } from './checkpoint-note';
import type { Ed25519Verify } from './ed25519-port';

export const CHECKPOINT_TYPE = 'nightcore.audit-checkpoint/v1';

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * A checkpoint as stored (table audit_checkpoints) and as a backup or data folder carries it; the
 * published format `audit-checkpoint.v1` (docs/formats). Not strict: a reader of a database gets
 * whatever columns it has, and only these are signed.
 */
export const ZAuditCheckpointSchema = z.object({
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** the chain hash of the event at `seq` */
  hash: z.string().regex(HEX64, 'must be 64 lower-case hex digits'),
  /** when it was signed, as the server's clock said (ISO 8601) */
  time: z.string().min(1).max(64),
  /** hex SHA-256 of the raw public key that signed */
  keyid: z.string().regex(HEX64, 'must be 64 lower-case hex digits'),
  /** base64 Ed25519 signature over checkpointStatement() */
  signature: z.string().max(128),
  /** hex RFC 9162 tree head over events 1..seq; null (or absent) on checkpoints older than the Merkle tree */
  root: z.string().regex(HEX64, 'must be 64 lower-case hex digits').nullable().optional(),
  /** the C2SP checkpoint (signed note) carrying `root`, signed by the same key */
  note: z.string().max(64 * 1024).nullable().optional(),
});
export type AuditCheckpoint = z.infer<typeof ZAuditCheckpointSchema>;

export interface CheckpointSigner {
  readonly keyid: string;
  sign(message: Uint8Array): Uint8Array;
}

/** Finds the public key for a keyid; undefined means the key is not trusted for checkpoints. */
export type CheckpointKeyLookup = (keyid: string) => Uint8Array | undefined;
export type { Ed25519Verify } from './ed25519-port';

export type CheckpointSigCode = 'CHECKPOINT_MALFORMED' | 'UNKNOWN_KEY' | 'KEY_OUTSIDE_PERIOD' | 'MALFORMED_SIGNATURE' | 'SIGNATURE_INVALID' | 'NOTE_INVALID';

/** A checkpoint from any source (a database row, a file): every bad field named, never a cast. */
export function readCheckpoint(value: unknown): Result<AuditCheckpoint, 'CHECKPOINT_MALFORMED'> {
  const parsed = ZAuditCheckpointSchema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  const issues = describeIssues(parsed.error);
  return err('CHECKPOINT_MALFORMED', `the checkpoint is malformed: ${issues.join('; ')}`, issues);
}

/**
 * The signed bytes: canonical JSON {type, seq, hash, time} (keys in JCS order: hash, seq, time, type).
 * `type` binds the signature to this purpose, so a checkpoint signature can never be replayed as a
 * signature over something else made with the same key.
 */
export function checkpointStatement(cp: { readonly seq: number; readonly hash: string; readonly time: string }): string {
  return `{"hash":${JSON.stringify(cp.hash)},"seq":${String(cp.seq)},"time":${JSON.stringify(cp.time)},"type":${JSON.stringify(CHECKPOINT_TYPE)}}`;
}

const encoder = new TextEncoder();

export function signCheckpoint(head: { readonly seq: number; readonly hash: string }, time: string, signer: CheckpointSigner): AuditCheckpoint {
  const statement = checkpointStatement({ seq: head.seq, hash: head.hash, time });
  const signature = Buffer.from(signer.sign(encoder.encode(statement))).toString('base64');
  return { seq: head.seq, hash: head.hash, time, keyid: signer.keyid, signature };
}

const BASE64_SIG = /^[A-Za-z0-9+/]{86}==$/; // exactly 64 bytes, canonical padding

export function verifyCheckpointSignature(
  cp: AuditCheckpoint,
  lookupKey: CheckpointKeyLookup,
  verify: Ed25519Verify,
): Result<true, CheckpointSigCode> {
  // Through the published schema first: a row of an unknown database is not trusted to be well formed.
  const read = readCheckpoint(cp);
  if (!read.ok) return err('CHECKPOINT_MALFORMED', `checkpoint at seq ${String(cp?.seq)}: ${read.message}`, read.issues);
  const publicKey = lookupKey(cp.keyid);
  if (!publicKey) return err('UNKNOWN_KEY', `checkpoint at seq ${cp.seq} is signed by key ${cp.keyid}, which is not a server key`);
  if (typeof cp.signature !== 'string' || !BASE64_SIG.test(cp.signature)) {
    return err('MALFORMED_SIGNATURE', `checkpoint at seq ${cp.seq} has a signature that is not 64 bytes of base64`);
  }
  const signature = new Uint8Array(Buffer.from(cp.signature, 'base64'));
  let valid = false;
  try {
    valid = verify(publicKey, encoder.encode(checkpointStatement(cp)), signature);
  } catch {
    valid = false; // a verifier that throws on odd input must not turn into "accepted"
  }
  if (!valid) return err('SIGNATURE_INVALID', `checkpoint at seq ${cp.seq} has an invalid signature`);
  return cp.note == null && cp.root == null ? ok(true) : verifyNoteOf(cp, publicKey, verify);
}

/** The signed note must be by the same key and name exactly this checkpoint's size and root. */
function verifyNoteOf(cp: AuditCheckpoint, publicKey: Uint8Array, verify: Ed25519Verify): Result<true, CheckpointSigCode> {
  const bad = (why: string) => err('NOTE_INVALID' as const, `checkpoint at seq ${cp.seq}: ${why}`);
  if (typeof cp.note !== 'string' || typeof cp.root !== 'string') return bad('it has a tree root without its signed note, or the reverse');
  const head = readTreeHead(cp.note);
  if (!head.ok) return bad(head.message);
  const opened = openCheckpoint(cp.note, { name: head.value.origin, publicKey }, verify);
  if (!opened.ok) return bad(opened.message);
  if (opened.value.size !== cp.seq) return bad(`its signed note is for tree size ${opened.value.size}`);
  if (Buffer.from(opened.value.root).toString('hex') !== cp.root) return bad('its signed note names a different tree root');
  return ok(true);
}
