/**
 * Test-only helpers for the audit tests: a seeded random JSON generator (reproducible failures),
 * chain building, and a node:crypto Ed25519 key. Keys are generated per run, never committed.
 */
import { createPublicKey, generateKeyPairSync, sign, verify, createHash } from 'node:crypto';
import { GENESIS_HASH, type AuditEvent } from './event';
import { eventHash } from './hash';
import type { JsonValue } from './canonical-payload';

/** mulberry32: small, seeded, good enough to vary test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Characters chosen to hit every escaping rule: controls, quotes, backslash, DEL, U+2028/9,
// non-BMP (surrogate pairs), combining marks, RTL, and keys that sort differently by code unit.
const TRICKY = ['a', 'Z', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', '\u2028', '\u2029',
  'é', 'ü', '€', '中', '😀', '𝄞', '\u0301', 'א', '\uFEFF', ' ', '1', '_', '\uffff', '\ud83d\ude00'];
const NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456789012345680000, 5e-324, Number.MAX_VALUE, -Number.MAX_SAFE_INTEGER, 2 ** 53, 333333333.3333333, 1.5e300, 4.35];

export function randomString(rand: () => number, maxLen = 12): string {
  const len = Math.floor(rand() * (maxLen + 1));
  let s = '';
  for (let i = 0; i < len; i++) s += TRICKY[Math.floor(rand() * TRICKY.length)]!;
  return s;
}

export function randomJson(rand: () => number, depth = 0): JsonValue {
  const r = rand();
  if (depth > 3 || r < 0.35) {
    const k = rand();
    if (k < 0.1) return null;
    if (k < 0.2) return rand() < 0.5;
    if (k < 0.45) return NUMBERS[Math.floor(rand() * NUMBERS.length)]!;
    if (k < 0.6) return (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20);
    return randomString(rand);
  }
  const n = Math.floor(rand() * 5);
  if (r < 0.6) return Array.from({ length: n }, () => randomJson(rand, depth + 1));
  const obj: Record<string, JsonValue> = {};
  for (let i = 0; i < n; i++) obj[randomString(rand, 4)] = randomJson(rand, depth + 1);
  return obj;
}

/** A valid chain of n events, payload text as given (must be canonical for real use). */
export function buildChain(n: number, payloadOf: (seq: number) => string = (seq) => `{"n":${seq}}`): AuditEvent[] {
  const out: AuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const fields = { seq, time: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(), actor: 'user:alice', action: 'key.added', subject: `key:${seq}`, payload: payloadOf(seq), prevHash: prev };
    prev = eventHash(fields);
    out.push({ ...fields, hash: prev });
  }
  return out;
}

export interface TestKey {
  readonly keyid: string;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export function testEd25519Key(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = new Uint8Array(Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url'));
  return {
    keyid: createHash('sha256').update(raw).digest('hex'),
    publicKey: raw,
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

export function nodeVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
  return verify(null, message, key, signature);
}
