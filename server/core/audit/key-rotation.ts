/**
 * A server key rotation, as the log records it (`server.key_rotated`, payload `nightcore.server-key-rotation/v1`):
 * a statement naming the log, the former key, the new key, and the last seq and chain hash the
 * former key vouches for, signed by BOTH keys. The former key's signature hands over; the new
 * key's accepts exactly that point of the chain. Neither key alone can move the handover: a former
 * key taken later cannot claim a longer period, and a key nobody handed over to has no period.
 *
 * The rotation event sits at seq + 1 (its prev hash is the statement's hash); the former key may
 * sign checkpoints up to seq, the new key from seq + 1 (key-periods.ts).
 */
import { z } from 'zod';
import { canonicalJson } from '../module/canonical';
import { signedJsonBytes } from '../crypto/signed-json';
import { decodeBase64Strict, encodeBase64, keyIdOf } from '../crypto/keys';
import { err, ok, type Result } from '../result';
import { describeIssues } from '../module/manifest';
import type { Ed25519Verify } from './ed25519-port';
import type { KeyPeriod } from './key-periods';

export const ROTATION_FORMAT = 'nightcore.server-key-rotation/v1';
export const ROTATION_PAYLOAD_TYPE = 'application/vnd.nightcore.server-key-rotation.v1+json';
export const ROTATION_ACTION = 'server.key_rotated';

const HEX64 = /^[0-9a-f]{64}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const B64_KEY = /^[A-Za-z0-9+/]{43}=$/; // 32 bytes
const B64_SIG = /^[A-Za-z0-9+/]{86}==$/; // 64 bytes

export const ZRotationStatementSchema = z.strictObject({
  format: z.literal(ROTATION_FORMAT),
  /** the log (C2SP checkpoint origin): a statement for one log never counts for another */
  origin: z.string().min(1).max(256),
  /** key id of the former key */
  from: z.string().regex(HEX64, 'must be 64 lower-case hex digits'),
  /** key id of the new key */
  to: z.string().regex(HEX64, 'must be 64 lower-case hex digits'),
  /** the new key, base64 (32 bytes) */
  toPublicKey: z.string().regex(B64_KEY, 'must be a base64 Ed25519 public key'),
  /** the last seq the former key vouches for (its period ends here) */
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** the chain hash at `seq` (the genesis hash for an empty log) */
  hash: z.string().regex(HEX64, 'must be 64 lower-case hex digits'),
  time: z.string().regex(ISO_MS, 'must be ISO 8601 UTC with milliseconds'),
});
export type TRotationStatement = z.infer<typeof ZRotationStatementSchema>;

/** The payload of a `server.key_rotated` event, and a row of server_keys' `rotation`. */
export const ZRotationRecordSchema = z.strictObject({
  statement: ZRotationStatementSchema,
  /** base64 Ed25519 by the former key over the DSSE encoding of the canonical statement */
  fromSignature: z.string().regex(B64_SIG, 'must be a base64 Ed25519 signature'),
  /** the same bytes signed by the new key */
  toSignature: z.string().regex(B64_SIG, 'must be a base64 Ed25519 signature'),
});
export type TRotationRecord = z.infer<typeof ZRotationRecordSchema>;

export type RotationCode = 'ROTATION_INVALID';

export function rotationBytes(statement: TRotationStatement): Uint8Array {
  const canonical = canonicalJson(statement);
  if (!canonical.ok) throw new TypeError(canonical.message);
  return signedJsonBytes(ROTATION_PAYLOAD_TYPE, canonical.value);
}

export function signRotation(statement: TRotationStatement, signFrom: (m: Uint8Array) => Uint8Array, signTo: (m: Uint8Array) => Uint8Array): TRotationRecord {
  const bytes = rotationBytes(statement);
  return { statement, fromSignature: encodeBase64(signFrom(bytes)), toSignature: encodeBase64(signTo(bytes)) };
}

/**
 * Checks a rotation record on its own: well formed, the new key is the one named, and both keys
 * signed it. `fromKey` is the former key's public key (from the key history or the operator).
 */
export function openRotation(value: unknown, fromKey: Uint8Array, verify: Ed25519Verify): Result<TRotationRecord, RotationCode> {
  const bad = (why: string) => err('ROTATION_INVALID' as const, `the server key rotation is invalid: ${why}`);
  const parsed = ZRotationRecordSchema.safeParse(value);
  if (!parsed.success) return bad(describeIssues(parsed.error).join('; '));
  const { statement, fromSignature, toSignature } = parsed.data;
  const toKey = decodeBase64Strict(statement.toPublicKey);
  if (!toKey || toKey.length !== 32 || keyIdOf(toKey) !== statement.to) return bad('the new key is not the key its id names');
  if (keyIdOf(fromKey) !== statement.from) return bad(`it is from key ${statement.from.slice(0, 16)}, not ${keyIdOf(fromKey).slice(0, 16)}`);
  if (statement.from === statement.to) return bad('a key cannot hand over to itself');
  const bytes = rotationBytes(statement);
  const signed = (key: Uint8Array, sig: string) => {
    const s = decodeBase64Strict(sig);
    try {
      return s !== undefined && verify(key, bytes, s);
    } catch {
      return false; // a verifier that throws on odd input must not turn into "accepted"
    }
  };
  if (!signed(fromKey, fromSignature)) return bad('the former key did not sign it');
  if (!signed(toKey, toSignature)) return bad('the new key did not sign it');
  return ok(parsed.data);
}

/**
 * The check of a `server.key_rotated` event against the key history: the statement is for this
 * log, sits right after the seq and hash it names, both keys signed it, and the history's periods
 * end and start exactly there. Returns why it is bad, or undefined.
 */
export function checkRotationEvent(
  event: { readonly seq: number; readonly prevHash: string; readonly payload: string },
  periods: readonly KeyPeriod[],
  origin: string,
  verify: Ed25519Verify,
): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(event.payload);
  } catch {
    return 'the key rotation is not JSON';
  }
  const statement = (value as { statement?: { from?: unknown } } | null)?.statement;
  const from = periods.find((p) => p.keyid === statement?.from && p.source === 'log');
  if (!from) return `the key rotation is from a key the key history does not list (${String(statement?.from).slice(0, 16)})`;
  const opened = openRotation(value, from.publicKey, verify);
  if (!opened.ok) return opened.message;
  const s = opened.value.statement;
  if (s.origin !== origin) return `the key rotation is for log "${s.origin}", this log is "${origin}"`;
  if (s.seq !== event.seq - 1 || s.hash !== event.prevHash) return `the key rotation vouches for seq ${s.seq}, but it is recorded after seq ${event.seq - 1}`;
  const to = periods.find((p) => p.keyid === s.to && p.source === 'log');
  if (from.untilSeq !== s.seq) return `the key history ends key ${s.from.slice(0, 16)} at ${String(from.untilSeq)}, the signed rotation at seq ${s.seq}`;
  if (!to || to.fromSeq !== event.seq) return `the key history does not start key ${s.to.slice(0, 16)} at seq ${event.seq}, where the signed rotation does`;
  return undefined;
}
