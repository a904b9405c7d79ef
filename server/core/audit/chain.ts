/**
 * Streaming verification of the hash chain and its signed checkpoints. Rows and checkpoints are
 * pulled one at a time in seq order, so memory stays constant however long the log is. The report
 * names the FIRST bad seq and why; everything before it is known good.
 */
import { GENESIS_HASH, type AuditEvent } from './event';
import { eventHash } from './hash';
import { MerkleAccumulator } from './merkle-accumulator';
import type { AuditCheckpoint, CheckpointSigCode } from './checkpoint';
import type { Result } from '../result';

export type ChainFailureCode =
  | 'MALFORMED_EVENT' // a column holds the wrong type (SQLite does not enforce column types)
  | 'SEQUENCE_GAP' // seq is not the previous seq + 1 (first is 1): an event was removed or inserted
  | 'BROKEN_LINK' // prev_hash is not the previous event's hash
  | 'HASH_MISMATCH' // the event's content does not hash to its stored hash: it was edited
  | 'CHECKPOINT_MISMATCH' // a signed checkpoint names a different hash for this seq: the chain was rewritten
  | 'CHECKPOINT_SIGNATURE_INVALID' // a checkpoint was not signed by a server key
  | 'CHECKPOINT_MISSING_EVENT' // a checkpoint names a seq the log no longer has: the log was truncated
  | 'CHECKPOINT_OUT_OF_ORDER' // checkpoints must come in strictly increasing seq order
  | 'CHECKPOINT_MALFORMED' // a checkpoint column holds the wrong type, or it lost its signed tree head
  | 'CHECKPOINT_ROOT_MISMATCH' // a signed tree head differs from the Merkle tree of the events it covers
  | 'ATTESTATION_INVALID' // an event's content carries a signature that does not verify (a remote run's node attestation)
  | 'KEY_HISTORY_INVALID'; // the server keys' history does not hold together (a rotation not signed by both keys, a key file replaced without one)

/**
 * A check of one event's content beyond the chain (the services pass one that verifies node
 * attestations in decision records): why it is bad, or undefined.
 */
export type EventContentCheck = (event: AuditEvent) => string | undefined | { readonly code: ChainFailureCode; readonly message: string };

export type ChainReport =
  | {
      readonly ok: true;
      readonly events: number;
      readonly checkpoints: number;
      readonly headSeq: number;
      readonly headHash: string;
      /** events after the last checkpoint: not yet protected against a rewrite */
      readonly uncheckpointed: number;
    }
  | {
      readonly ok: false;
      readonly code: ChainFailureCode;
      /** the first seq found bad (for a gap: the seq that was expected) */
      readonly seq: number;
      readonly message: string;
      /** events verified good before the failure */
      readonly events: number;
    };

export type CheckpointSigCheck = (cp: AuditCheckpoint) => Result<true, CheckpointSigCode>;

/** How often onProgress is called (in events); it is also called once at the end. */
export const PROGRESS_EVERY = 10_000;

/** Names the first field with the wrong type, if any. Written out longhand: it runs once per event. */
function malformed(row: AuditEvent): string | undefined {
  if (!Number.isSafeInteger(row.seq)) return 'seq';
  if (typeof row.time !== 'string') return 'time';
  if (typeof row.actor !== 'string') return 'actor';
  if (typeof row.action !== 'string') return 'action';
  if (typeof row.subject !== 'string') return 'subject';
  if (typeof row.payload !== 'string') return 'payload';
  if (typeof row.prevHash !== 'string') return 'prevHash';
  if (typeof row.hash !== 'string') return 'hash';
  return undefined;
}

export function verifyChain(
  rows: Iterable<AuditEvent>,
  checkpoints: Iterable<AuditCheckpoint>,
  verifyCheckpointSig: CheckpointSigCheck,
  onProgress?: (events: number) => void,
  checkContent?: EventContentCheck,
): ChainReport {
  const steps = verifyChainSteps(rows, checkpoints, verifyCheckpointSig, checkContent);
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) {
      if (step.value.ok) onProgress?.(step.value.events);
      return step.value;
    }
    onProgress?.(step.value);
  }
}

/**
 * The same verification as a generator: it yields the number of events checked every
 * PROGRESS_EVERY events and returns the report, so a caller can pause between steps (the console
 * streams progress and keeps serving other requests while a long chain is checked).
 */
export function* verifyChainSteps(
  rows: Iterable<AuditEvent>,
  checkpoints: Iterable<AuditCheckpoint>,
  verifyCheckpointSig: CheckpointSigCheck,
  checkContent?: EventContentCheck,
): Generator<number, ChainReport, void> {
  const fail = (code: ChainFailureCode, seq: number, message: string, events: number): ChainReport => ({
    ok: false,
    code,
    seq,
    message,
    events,
  });
  const cps = checkpoints[Symbol.iterator]();
  const pull = (): AuditCheckpoint | undefined => cps.next().value ?? undefined;
  let nextCp = pull();
  let cpCount = 0;
  let lastCpSeq = 0;
  // Every event is also a leaf: the signed tree heads must be the tree of exactly these events, or
  // a witness could be shown a history this database does not hold.
  const tree = new MerkleAccumulator();
  let sawTreeHead = false;
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let count = 0;

  const checkCheckpoint = (cp: AuditCheckpoint, rowHash: string): ChainReport | undefined => {
    if (cp.hash !== rowHash) {
      const since = lastCpSeq === 0 ? 'from the start' : `after the checkpoint at seq ${lastCpSeq}`;
      return fail('CHECKPOINT_MISMATCH', cp.seq, `signed checkpoint says seq ${cp.seq} has hash ${cp.hash}, the log has ${rowHash}: the chain was rewritten somewhere ${since} up to seq ${cp.seq}`, count - 1);
    }
    const sig = verifyCheckpointSig(cp);
    if (!sig.ok) return fail('CHECKPOINT_SIGNATURE_INVALID', cp.seq, sig.message, count - 1);
    if (cp.root == null) {
      // Older checkpoints have no tree head; once one had it, dropping it later is a downgrade.
      if (sawTreeHead) return fail('CHECKPOINT_MALFORMED', cp.seq, `checkpoint at seq ${cp.seq} has no signed tree head, though an earlier one had`, count - 1);
    } else {
      sawTreeHead = true;
      const root = Buffer.from(tree.root()).toString('hex');
      if (cp.root !== root) {
        return fail('CHECKPOINT_ROOT_MISMATCH', cp.seq, `the signed tree head at seq ${cp.seq} is ${cp.root}, the events give ${root}: the tree shown to witnesses is not this log`, count - 1);
      }
    }
    cpCount++;
    lastCpSeq = cp.seq;
    return undefined;
  };

  for (const row of rows) {
    const bad = malformed(row);
    if (bad) return fail('MALFORMED_EVENT', typeof row.seq === 'number' ? row.seq : expectedSeq, `event field ${bad} has the wrong type`, count);
    if (row.seq !== expectedSeq) {
      const what = row.seq > expectedSeq ? `missing (next present is ${row.seq})` : `followed by seq ${row.seq}`;
      return fail('SEQUENCE_GAP', expectedSeq, `seq ${expectedSeq} is ${what}`, count);
    }
    if (row.prevHash !== prev) return fail('BROKEN_LINK', row.seq, `seq ${row.seq} does not link to the hash of seq ${row.seq - 1}`, count);
    if (eventHash(row) !== row.hash) return fail('HASH_MISMATCH', row.seq, `seq ${row.seq} does not match its hash: its content was changed`, count);
    const contentProblem = checkContent?.(row);
    if (contentProblem !== undefined) {
      const { code, message } = typeof contentProblem === 'string' ? { code: 'ATTESTATION_INVALID' as const, message: contentProblem } : contentProblem;
      return fail(code, row.seq, `seq ${row.seq}: ${message}`, count);
    }
    count++;
    tree.pushEventHash(row.hash);
    while (nextCp !== undefined && !(nextCp.seq > row.seq)) {
      if (!Number.isSafeInteger(nextCp.seq) || typeof nextCp.hash !== 'string' || typeof nextCp.time !== 'string') {
        return fail('CHECKPOINT_MALFORMED', row.seq, `a checkpoint near seq ${row.seq} has a field of the wrong type`, count - 1);
      }
      if (nextCp.seq <= lastCpSeq) {
        return fail('CHECKPOINT_OUT_OF_ORDER', nextCp.seq, `checkpoint seq ${nextCp.seq} is not after seq ${lastCpSeq}`, count - 1);
      }
      if (nextCp.seq < row.seq) {
        return fail('CHECKPOINT_MISSING_EVENT', nextCp.seq, `checkpoint names seq ${nextCp.seq}, which the log does not have`, count - 1);
      }
      const failure = checkCheckpoint(nextCp, row.hash);
      if (failure) return failure;
      nextCp = pull();
    }
    prev = row.hash;
    expectedSeq++;
    if (count % PROGRESS_EVERY === 0) yield count;
  }

  if (nextCp !== undefined) {
    // A checkpoint beyond the last event: events that were signed for are gone.
    const lastSeq = expectedSeq - 1;
    return fail('CHECKPOINT_MISSING_EVENT', nextCp.seq, `a signed checkpoint names seq ${nextCp.seq} but the log ends at seq ${lastSeq}: the log was truncated`, count);
  }
  return { ok: true, events: count, checkpoints: cpCount, headSeq: expectedSeq - 1, headHash: prev, uncheckpointed: expectedSeq - 1 - lastCpSeq };
}
