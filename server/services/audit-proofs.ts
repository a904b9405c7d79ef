/**
 * Builds the proof bundles of core/audit/proof-bundle.ts from the log: an event's inclusion in a
 * signed tree head, and the consistency of two signed tree heads. Read-only except that proving an
 * event newer than the last checkpoint first checkpoints the head (so there is a head to prove against).
 */
import { err, ok, type Result } from '../core/result';
import { eventToJsonLine } from '../core/audit/export';
import { CONSISTENCY_BUNDLE, INCLUSION_BUNDLE, encodeHashes, type ConsistencyBundle, type ExportedEvent, type InclusionBundle } from '../core/audit/proof-bundle';
import { formatVerifierKey } from '../core/audit/signed-note';
import type { AuditCheckpoint } from '../core/audit/checkpoint';
import type { AuditLog } from './audit-log';

export type ProofCode = 'EVENT_NOT_FOUND' | 'CHECKPOINT_NOT_FOUND' | 'INVALID_SIZE';

/** The log's verifier key (C2SP vkey): what an auditor or a witness needs to check its checkpoints. */
export function verifierKeyOf(audit: AuditLog, publicKey: Uint8Array): string {
  return formatVerifierKey({ name: audit.origin, publicKey });
}

const withNote = (cp: AuditCheckpoint | undefined): (AuditCheckpoint & { note: string; root: string }) | undefined =>
  cp && typeof cp.note === 'string' && typeof cp.root === 'string' ? (cp as AuditCheckpoint & { note: string; root: string }) : undefined;

/**
 * Inclusion of event `seq` in the checkpoint of size `size` (default: the newest checkpoint,
 * written now if the event is newer than it).
 */
export function proveInclusion(audit: AuditLog, seq: number, size?: number): Result<InclusionBundle, ProofCode> {
  if (!Number.isSafeInteger(seq) || seq < 1) return err('EVENT_NOT_FOUND', 'seq must be a positive integer');
  const event = audit.event(seq);
  if (!event) return err('EVENT_NOT_FOUND', `the log has no event ${seq}`);
  let cp;
  if (size === undefined) {
    const latest = withNote(audit.latestCheckpoint());
    cp = latest && latest.seq >= seq ? latest : withNote(audit.checkpoint());
  } else {
    if (!Number.isSafeInteger(size) || size < seq) return err('INVALID_SIZE', `a tree of size ${size} does not hold event ${seq}`);
    cp = withNote(audit.checkpointAt(size));
  }
  if (!cp) return err('CHECKPOINT_NOT_FOUND', `there is no signed tree head ${size === undefined ? 'covering this event' : `at size ${size}`}`);
  return ok({
    type: INCLUSION_BUNDLE,
    event: JSON.parse(eventToJsonLine(event)) as ExportedEvent,
    leafIndex: seq - 1,
    treeSize: cp.seq,
    proof: encodeHashes(audit.tree.inclusion(seq - 1, cp.seq)),
    checkpoint: cp.note,
  });
}

/**
 * For the console (a read, never a write): inclusion in the newest checkpoint, which must already
 * cover the event (checkpoints follow within seconds, see checkpoint-policy.ts).
 */
export function proveInclusionInLatest(audit: AuditLog, seq: number): Result<InclusionBundle, ProofCode> {
  const latest = withNote(audit.latestCheckpoint());
  if (!latest || latest.seq < seq) {
    return err('CHECKPOINT_NOT_FOUND', `no signed tree head covers event ${seq} yet; one follows within seconds`);
  }
  return proveInclusion(audit, seq, latest.seq);
}

/** Consistency of the checkpoints at sizes `oldSize` and `newSize` (both must exist). */
export function proveConsistency(audit: AuditLog, oldSize: number, newSize: number): Result<ConsistencyBundle, ProofCode> {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 1 || oldSize > newSize) {
    return err('INVALID_SIZE', 'sizes must be positive integers with old <= new');
  }
  const older = withNote(audit.checkpointAt(oldSize));
  const newer = withNote(audit.checkpointAt(newSize));
  if (!older || !newer) return err('CHECKPOINT_NOT_FOUND', `there is no signed tree head at size ${!older ? oldSize : newSize}`);
  return ok({ type: CONSISTENCY_BUNDLE, oldCheckpoint: older.note, newCheckpoint: newer.note, proof: encodeHashes(audit.tree.consistency(oldSize, newSize)) });
}
