/**
 * Tree heads as C2SP checkpoints: the body (tlog-checkpoint.ts) in a signed note (signed-note.ts)
 * whose key name is the log's origin, so the key a verifier holds names exactly one log.
 */
import { ok, err, type Result } from '../result';
import type { Ed25519Verify } from './ed25519-port';
import { openNote, parseNote, signNote, type NoteCode, type NoteKey } from './signed-note';
import { formatCheckpointBody, parseCheckpointBody, type CheckpointBodyCode, type TreeHead } from './tlog-checkpoint';

export type CheckpointNoteCode = NoteCode | CheckpointBodyCode | 'ORIGIN_MISMATCH';

export interface TreeHeadSigner {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export function signTreeHead(head: TreeHead, signer: TreeHeadSigner): string {
  return signNote(formatCheckpointBody(head), { name: head.origin, publicKey: signer.publicKey }, (m) => signer.sign(m));
}

/** The note's tree head without checking any signature (to learn its origin and size first). */
export function readTreeHead(note: string): Result<TreeHead, NoteCode | CheckpointBodyCode> {
  const parsed = parseNote(note);
  if (!parsed.ok) return parsed;
  return parseCheckpointBody(parsed.value.text);
}

/**
 * Verifies a checkpoint note against the log's key: the signature by `key` (whose name must be the
 * note's origin) and a well-formed body. Returns the tree head it vouches for.
 */
export function openCheckpoint(note: string, key: NoteKey, verify: Ed25519Verify): Result<TreeHead, CheckpointNoteCode> {
  const head = readTreeHead(note);
  if (!head.ok) return head;
  if (head.value.origin !== key.name) {
    return err('ORIGIN_MISMATCH', `the checkpoint is for log "${head.value.origin}", the key is for "${key.name}"`);
  }
  const opened = openNote(note, key, verify);
  if (!opened.ok) return opened;
  return ok(head.value);
}
