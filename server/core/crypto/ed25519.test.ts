import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { generateKeyPair, publicKeyFromSeed, signEd25519, verifyEd25519 } from './ed25519';
import { isCanonicalY, isSmallOrderEncoding, SMALL_ORDER_ENCODINGS_FOR_TESTS } from './ed25519-strict';

ed.hashes.sha512 = sha512;

interface WycheproofTest { tcId: number; comment: string; msg: string; sig: string; result: 'valid' | 'invalid' }
interface WycheproofFile { numberOfTests: number; testGroups: { publicKey: { pk: string }; tests: WycheproofTest[] }[] }

const wycheproof = JSON.parse(
  readFileSync(join(__dirname, '../../../testdata/wycheproof/ed25519_test.json'), 'utf8'),
) as WycheproofFile;
const vectors = wycheproof.testGroups.flatMap((g) => g.tests.map((t) => ({ ...t, pk: g.publicKey.pk })));
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

function nobleStrict(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false; // noble throws on malformed lengths; ours returns false
  }
}

describe('Ed25519 against Wycheproof', () => {
  it('holds all 151 vectors, 88 valid and 63 invalid', () => {
    expect(wycheproof.numberOfTests).toBe(151);
    expect(vectors).toHaveLength(151);
    expect(vectors.filter((v) => v.result === 'valid')).toHaveLength(88);
    expect(vectors.filter((v) => v.result === 'invalid')).toHaveLength(63);
  });

  it('gives the expected result for every vector', () => {
    const wrong = vectors
      .filter((v) => verifyEd25519(hex(v.pk), hex(v.msg), hex(v.sig)) !== (v.result === 'valid'))
      .map((v) => `tc ${v.tcId} (${v.comment})`);
    expect(wrong).toEqual([]);
  });

  it('agrees with @noble/ed25519 strict mode on every vector', () => {
    const disagreements = vectors
      .filter((v) => verifyEd25519(hex(v.pk), hex(v.msg), hex(v.sig)) !== nobleStrict(hex(v.pk), hex(v.msg), hex(v.sig)))
      .map((v) => v.tcId);
    expect(disagreements).toEqual([]);
  });
});

describe('Ed25519 cross-check with @noble/ed25519 on random inputs', () => {
  it('agrees on 300 valid signatures and their one-bit mutations', () => {
    let valid = 0;
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const { seed, publicKey } = generateKeyPair();
      const message = new Uint8Array(randomBytes(i % 97));
      const signature = signEd25519(seed, message);
      // Ed25519 signing is deterministic: both libraries must produce the same bytes.
      expect(Buffer.from(signature).equals(Buffer.from(ed.sign(message, seed)))).toBe(true);
      expect(Buffer.from(publicKey).equals(Buffer.from(ed.getPublicKey(seed)))).toBe(true);
      if (verifyEd25519(publicKey, message, signature)) valid++;
      // Flip one bit somewhere in the signature, the key or the message.
      const target = i % 3;
      const sig = signature.slice();
      const pk = publicKey.slice();
      const msg = message.length ? message.slice() : new Uint8Array([0]);
      const buf = target === 0 ? sig : target === 1 ? pk : msg;
      buf[i % buf.length]! ^= 1 << (i % 8);
      const ours = verifyEd25519(pk, msg, sig);
      expect(ours).toBe(nobleStrict(pk, msg, sig));
      expect(ours).toBe(false);
      checked++;
    }
    expect(valid).toBe(300);
    expect(checked).toBe(300);
  });
});

describe('Ed25519 strictness beyond OpenSSL', () => {
  const identity = hex('01'.padEnd(64, '0'));
  const message = new TextEncoder().encode('any message at all');

  it('rejects the identity public key, under which (R = identity, S = 0) would verify every message', () => {
    const forged = new Uint8Array(64);
    forged.set(identity, 0);
    expect(verifyEd25519(identity, message, forged)).toBe(false);
    expect(nobleStrict(identity, message, forged)).toBe(false);
  });

  it('lists exactly the encodings of the 8 small-order points (sign bit ignored)', () => {
    const order8 = ed.Point.fromBytes(hex(SMALL_ORDER_ENCODINGS_FOR_TESTS[3]!), false);
    let point = ed.Point.ZERO;
    const torsion = new Set<string>();
    for (let i = 0; i < 8; i++) {
      torsion.add(Buffer.from(point.toBytes()).toString('hex'));
      point = point.add(order8);
    }
    expect(torsion.size).toBe(8);
    for (const enc of torsion) expect(isSmallOrderEncoding(hex(enc))).toBe(true);
    const withoutSign = new Set([...torsion].map((e) => { const b = hex(e); b[31]! &= 0x7f; return Buffer.from(b).toString('hex'); }));
    expect([...withoutSign].sort()).toEqual([...SMALL_ORDER_ENCODINGS_FOR_TESTS].sort());
    for (let i = 0; i < 50; i++) expect(isSmallOrderEncoding(generateKeyPair().publicKey)).toBe(false);
  });

  it('rejects every small-order public key, with either sign bit', () => {
    const sig = new Uint8Array(64);
    for (const enc of SMALL_ORDER_ENCODINGS_FOR_TESTS) {
      for (const sign of [0, 0x80]) {
        const pk = hex(enc);
        pk[31]! |= sign;
        sig.set(pk, 0);
        expect(verifyEd25519(pk, message, sig)).toBe(false);
      }
    }
  });

  it('treats y >= p as non-canonical', () => {
    expect(isCanonicalY(hex('ec'.padEnd(62, 'f') + '7f'))).toBe(true); // p - 1
    expect(isCanonicalY(hex('ed'.padEnd(62, 'f') + '7f'))).toBe(false); // p
    expect(isCanonicalY(hex('ff'.padEnd(62, 'f') + 'ff'))).toBe(false); // 2^255 - 1 with sign bit
    const pk = hex('ef'.padEnd(62, 'f') + '7f'); // p + 2
    expect(verifyEd25519(pk, message, new Uint8Array(64))).toBe(false);
  });
});

describe('Ed25519 input handling', () => {
  const { seed, publicKey } = generateKeyPair();
  const message = new TextEncoder().encode('hello');
  const signature = signEd25519(seed, message);

  it('round-trips and derives the same public key from the seed', () => {
    expect(verifyEd25519(publicKey, message, signature)).toBe(true);
    expect(publicKeyFromSeed(seed)).toEqual(publicKey);
  });

  it('returns false, never throws, on wrong lengths or types', () => {
    expect(verifyEd25519(publicKey.subarray(0, 31), message, signature)).toBe(false);
    expect(verifyEd25519(publicKey, message, signature.subarray(0, 63))).toBe(false);
    expect(verifyEd25519(new Uint8Array(33), message, signature)).toBe(false);
    expect(verifyEd25519(publicKey, message, new Uint8Array(65))).toBe(false);
    expect(verifyEd25519('x' as unknown as Uint8Array, message, signature)).toBe(false);
    expect(verifyEd25519(publicKey, null as unknown as Uint8Array, signature)).toBe(false);
  });

  it('rejects a public key that is not a curve point', () => {
    // y = 2 is not the y-coordinate of any point on edwards25519.
    const notOnCurve = hex('02'.padEnd(64, '0'));
    expect(() => ed.Point.fromBytes(notOnCurve, false)).toThrow();
    expect(nobleStrict(notOnCurve, message, signature)).toBe(false);
    expect(verifyEd25519(notOnCurve, message, signature)).toBe(false);
  });

  it('verifies under the bytes a key array holds now, not the key cached for that array earlier', () => {
    // The cache keyed by array identity (ed25519.ts) must notice an array rewritten in place.
    const other = generateKeyPair();
    const otherSignature = signEd25519(other.seed, message);
    const array = publicKey.slice();
    expect(verifyEd25519(array, message, signature)).toBe(true); // warms the cache for `array`
    array.set(other.publicKey);
    expect(verifyEd25519(array, message, signature)).toBe(false);
    expect(verifyEd25519(array, message, otherSignature)).toBe(true);
    // Rewritten to a small-order key, the array verifies nothing, even the forgery that key allows.
    array.set(hex(SMALL_ORDER_ENCODINGS_FOR_TESTS[1]!)); // the identity
    const forged = new Uint8Array(64);
    forged[0] = 1; // R = identity, S = 0
    expect(verifyEd25519(array, message, forged)).toBe(false);
    array.set(publicKey);
    expect(verifyEd25519(array, message, signature)).toBe(true);
    expect(verifyEd25519(array, message, otherSignature)).toBe(false);
  });

  it('refuses to sign with a seed of the wrong size', () => {
    expect(() => signEd25519(new Uint8Array(31), message)).toThrow(/32 bytes/);
    expect(() => publicKeyFromSeed(new Uint8Array(64))).toThrow(/32 bytes/);
  });
});
