/**
 * Which server key may sign the checkpoint at which seq. After a rotation (key-rotation.ts) the
 * former key stays valid for the checkpoints it signed, and ONLY for those: its period ends at the
 * seq where it handed over. A checkpoint signed by a key outside its period (a former key used
 * after its retirement, e.g. by whoever took an old key file) is refused, however good the
 * signature. Periods are by seq, not by time: the time in a checkpoint is the signer's own word,
 * the seq is fixed by the chain.
 */
import { err, ok, type Result } from '../result';
import type { Ed25519Verify } from './ed25519-port';
import { verifyCheckpointSignature, type AuditCheckpoint, type CheckpointSigCode } from './checkpoint';

export interface KeyPeriod {
  /** hex SHA-256 of the raw public key */
  readonly keyid: string;
  readonly publicKey: Uint8Array;
  /** first seq whose checkpoint this key may sign */
  readonly fromSeq: number;
  /** last seq whose checkpoint it may sign; null for the key in use */
  readonly untilSeq: number | null;
  /** where the period is known from: the log's own key history, the operator, or the data folder's key file */
  readonly source: 'log' | 'operator' | 'key file';
}

export type KeyHistoryCode = 'KEY_HISTORY_INVALID';

export const describePeriod = (p: Pick<KeyPeriod, 'fromSeq' | 'untilSeq'>): string =>
  p.untilSeq === null ? `seq ${p.fromSeq} on` : `seq ${p.fromSeq} to ${p.untilSeq}`;

/**
 * The log's own key history must be one line: the first key from where it started, each next key
 * from the seq after the previous one's last, only the last one open-ended. Operator-given periods
 * are the operator's word and are not part of that line.
 */
export function checkKeyHistory(periods: readonly KeyPeriod[]): Result<true, KeyHistoryCode> {
  const log = periods.filter((p) => p.source === 'log').sort((a, b) => a.fromSeq - b.fromSeq);
  for (const [i, p] of log.entries()) {
    const next = log[i + 1];
    if (p.untilSeq !== null && p.untilSeq < p.fromSeq - 1) return err('KEY_HISTORY_INVALID', `server key ${p.keyid.slice(0, 16)} ends (seq ${p.untilSeq}) before it starts (seq ${p.fromSeq})`);
    if (!next) {
      if (p.untilSeq !== null) return err('KEY_HISTORY_INVALID', `the newest server key ${p.keyid.slice(0, 16)} is marked retired, yet no key followed it`);
      continue;
    }
    if (p.untilSeq === null) return err('KEY_HISTORY_INVALID', `server key ${p.keyid.slice(0, 16)} was never retired, yet ${next.keyid.slice(0, 16)} followed it`);
    if (next.fromSeq !== p.untilSeq + 1) {
      return err('KEY_HISTORY_INVALID', `server key ${next.keyid.slice(0, 16)} starts at seq ${next.fromSeq}, not right after ${p.keyid.slice(0, 16)} (seq ${p.untilSeq})`);
    }
  }
  return ok(true);
}

/**
 * The checkpoint check for a key history: the checkpoint's key must have a period covering its seq
 * (any of the periods listed for that key id), then the signature and signed note must verify.
 */
export function checkpointCheckFor(periods: readonly KeyPeriod[], verify: Ed25519Verify): (cp: AuditCheckpoint) => Result<true, CheckpointSigCode> {
  const byId = new Map<string, KeyPeriod[]>();
  for (const p of periods) byId.set(p.keyid, [...(byId.get(p.keyid) ?? []), p]);
  return (cp) => {
    const known = byId.get(cp.keyid);
    if (!known) return err('UNKNOWN_KEY', `checkpoint at seq ${cp.seq} is signed by key ${cp.keyid}, which is not a server key`);
    const covering = known.find((p) => cp.seq >= p.fromSeq && (p.untilSeq === null || cp.seq <= p.untilSeq));
    if (!covering) {
      return err(
        'KEY_OUTSIDE_PERIOD',
        `checkpoint at seq ${cp.seq} is signed by server key ${cp.keyid.slice(0, 16)}, which may sign only ${known.map(describePeriod).join(', ')}: a key used outside its period (a retired key after its retirement) proves nothing`,
      );
    }
    return verifyCheckpointSignature(cp, () => covering.publicKey, verify);
  };
}
