/**
 * Signed checkpoints: "the chain had head `hash` at `seq`", signed with the server key. Hashes alone
 * only prove the rows agree with each other; someone who can write the database can recompute the
 * whole chain. A checkpoint needs the server's private key, so a rewrite or a truncation behind one
 * is caught. Ed25519 comes in through injected functions, so the core does not care which
 * implementation is wired.
 */
import { ok, err, type Result } from '../result';
import { openCheckpoint, readTreeHead } from './checkpoint-note';
import type { Ed25519Verify } from './ed25519-port';

export const CHECKPOINT_TYPE = 'nightcore.audit-checkpoint/v1';

export interface AuditCheckpoint {
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
  /** hex SHA-256 of the raw public key that signed */
  readonly keyid: string;
  /** base64 Ed25519 signature over checkpointStatement() */
  readonly signature: string;
  /** hex RFC 9162 tree head over events 1..seq; null on checkpoints older than the Merkle tree */
  readonly root?: string | null;
  /** the C2SP checkpoint (signed note) carrying `root`, signed by the same key */
  readonly note?: string | null;
}

export interface CheckpointSigner {
  readonly keyid: string;
  sign(message: Uint8Array): Uint8Array;
}

/** Finds the public key for a keyid; undefined means the key is not trusted for checkpoints. */
export type CheckpointKeyLookup = (keyid: string) => Uint8Array | undefined;
export type { Ed25519Verify } from './ed25519-port';

export type CheckpointSigCode = 'UNKNOWN_KEY' | 'MALFORMED_SIGNATURE' | 'SIGNATURE_INVALID' | 'NOTE_INVALID';

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
