/**
 * Password hashing with node:crypto scrypt. The stored string carries its scheme and cost
 * parameters — `scrypt$<log2N>$<r>$<p>$<salt b64>$<hash b64>` — so the cost can be raised later
 * (needsRehash) while old hashes keep verifying. Comparison is constant-time.
 */
import { scrypt, scryptSync, randomBytes, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ok, err, type Result } from '../result';

export interface ScryptParams {
  readonly log2N: number;
  readonly r: number;
  readonly p: number;
}

/** N = 2^15, r = 8, p = 1: 32 MiB and roughly 50-100 ms per hash on a server core. */
export const DEFAULT_PARAMS: ScryptParams = { log2N: 15, r: 8, p: 1 };
export const MIN_PASSWORD_LENGTH = 12;
/** Bounds the work one request can ask of scrypt, and rejects pasted files. */
export const MAX_PASSWORD_LENGTH = 256;

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Refuse stored parameters outside these bounds: a tampered row must not make one login burn a gigabyte.
const LIMITS = { log2N: [10, 20], r: [1, 32], p: [1, 16] } as const;

export type PasswordPolicyCode = 'PASSWORD_TOO_SHORT' | 'PASSWORD_TOO_LONG';

/** The rule for NEW passwords (existing ones verify whatever their length). Counts code points. */
export function checkNewPassword(password: string): Result<string, PasswordPolicyCode> {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return err('PASSWORD_TOO_SHORT', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (length > MAX_PASSWORD_LENGTH) return err('PASSWORD_TOO_LONG', `a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  return ok(password);
}

function options(params: ScryptParams): ScryptOptions {
  const N = 2 ** params.log2N;
  // scrypt needs 128 * N * r bytes; node's default maxmem (32 MiB) is exactly too small for 2^15/8.
  return { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
}

function encode(params: ScryptParams, salt: Buffer, key: Buffer): string {
  return `scrypt$${params.log2N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface Decoded {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly key: Buffer;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decode(stored: string): Decoded | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [log2N, r, p] = parts.slice(1, 4).map((s) => (/^[0-9]{1,3}$/.test(s) ? Number(s) : NaN));
  const params = { log2N: log2N!, r: r!, p: p! };
  for (const name of ['log2N', 'r', 'p'] as const) {
    const [min, max] = LIMITS[name];
    if (!(params[name] >= min && params[name] <= max)) return undefined;
  }
  if (!B64.test(parts[4]!) || !B64.test(parts[5]!)) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (salt.length < SALT_BYTES || key.length !== KEY_BYTES) return undefined;
  return { params, salt, key };
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options(params), (e, key) => (e ? reject(e) : resolve(key))),
  );
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return encode(params, salt, await derive(password, salt, params));
}

/** Blocking variant, only for one-off work at start-up (the initial admin) and the CLI. */
export function hashPasswordSync(password: string, params: ScryptParams = DEFAULT_PARAMS): string {
  const salt = randomBytes(SALT_BYTES);
  return encode(params, salt, scryptSync(password.normalize('NFC'), salt, KEY_BYTES, options(params)));
}

/** False for a wrong password AND for a malformed or tampered stored hash (never throws on bad data). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH * 4) return false; // UTF-16 units; bounds scrypt input
  const decoded = decode(stored);
  if (!decoded) return false;
  const actual = await derive(password, decoded.salt, decoded.params);
  return timingSafeEqual(actual, decoded.key);
}

/** True when the stored hash is weaker than `target` (or unreadable): rehash after the next good login. */
export function needsRehash(stored: string, target: ScryptParams = DEFAULT_PARAMS): boolean {
  const decoded = decode(stored);
  if (!decoded) return true;
  const { log2N, r, p } = decoded.params;
  return log2N < target.log2N || r < target.r || p < target.p;
}

/**
 * A hash of a random password, computed once: verifying against it when the username does not
 * exist takes as long as a real check, so timing does not reveal which usernames exist.
 */
let dummyHash: string | undefined;
export function dummyPasswordHash(): string {
  dummyHash ??= hashPasswordSync(randomBytes(18).toString('base64'));
  return dummyHash;
}

/** A password for people to copy once: 24 base64url characters (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
