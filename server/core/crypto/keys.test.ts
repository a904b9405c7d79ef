import { describe, it, expect } from 'vitest';
import { generateKeyPair } from './ed25519';
import { sha256Hex } from './digest';
import {
  decodeBase64Strict,
  encodePrivateKeyFile,
  encodePublicKeyFile,
  keyIdOf,
  parsePrivateKeyFile,
  parsePublicKeyFile,
  PRIVATE_KEY_FORMAT,
} from './keys';

const pair = generateKeyPair();

describe('keyIdOf', () => {
  it('is the lower-case hex SHA-256 of the raw public key', () => {
    const id = keyIdOf(pair.publicKey);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(id).toBe(sha256Hex(pair.publicKey));
    expect(keyIdOf(generateKeyPair().publicKey)).not.toBe(id);
  });
});

describe('public key file', () => {
  it('is base64 plus a newline and parses back, with surrounding whitespace tolerated', () => {
    const text = encodePublicKeyFile(pair.publicKey);
    expect(text).toBe(`${Buffer.from(pair.publicKey).toString('base64')}\n`);
    const parsed = parsePublicKeyFile(`  ${text}\r\n`);
    expect(parsed.ok && Buffer.from(parsed.value).equals(Buffer.from(pair.publicKey))).toBe(true);
  });

  it.each([
    ['', /empty/],
    ['not base64 at all!', /not base64/],
    [Buffer.alloc(31).toString('base64'), /31 bytes/],
    [Buffer.alloc(33).toString('base64'), /33 bytes/],
  ])('rejects %j with a clear message', (text, message) => {
    const parsed = parsePublicKeyFile(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.code).toBe('KEY_FILE_INVALID');
      expect(parsed.message).toMatch(message);
    }
  });
});

describe('decodeBase64Strict', () => {
  it('rejects missing padding, junk characters and non-zero trailing bits', () => {
    expect(decodeBase64Strict('YWJj')).toEqual(new Uint8Array([0x61, 0x62, 0x63]));
    expect(decodeBase64Strict('YWI')).toBeUndefined();
    expect(decodeBase64Strict('YW*j')).toBeUndefined();
    expect(decodeBase64Strict('YWJ=')).toBeUndefined(); // "YWI=" is the canonical form
  });
});

describe('private key file', () => {
  it('round-trips', () => {
    const text = encodePrivateKeyFile(pair);
    const json = JSON.parse(text) as Record<string, string>;
    expect(json.format).toBe(PRIVATE_KEY_FORMAT);
    expect(json.keyid).toBe(keyIdOf(pair.publicKey));
    const parsed = parsePrivateKeyFile(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.value.keyid).toBe(keyIdOf(pair.publicKey));
      expect(parsed.value.seed).toEqual(pair.seed);
      expect(parsed.value.publicKey).toEqual(pair.publicKey);
    }
  });

  it('rejects text that is not JSON', () => {
    const parsed = parsePrivateKeyFile('seed=abc');
    expect(!parsed.ok && parsed.message).toMatch(/not JSON/);
  });

  it('lists every bad field', () => {
    const parsed = parsePrivateKeyFile(JSON.stringify({ format: 'other', keyid: 'XYZ', publicKey: 1, extra: true }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      const fields = (parsed.issues ?? []).map((i) => i.split(':')[0]);
      expect(fields).toEqual(expect.arrayContaining(['format', 'keyid', 'publicKey', 'seed', '(root)']));
    }
  });

  it('rejects seed or public key of the wrong size', () => {
    const json = JSON.parse(encodePrivateKeyFile(pair)) as Record<string, string>;
    const parsed = parsePrivateKeyFile(JSON.stringify({ ...json, seed: Buffer.alloc(16).toString('base64') }));
    expect(!parsed.ok && parsed.issues).toEqual(['seed: must be base64 of 32 bytes']);
  });

  it('rejects a file whose seed does not produce its public key', () => {
    const other = generateKeyPair();
    const json = JSON.parse(encodePrivateKeyFile(pair)) as Record<string, string>;
    const parsed = parsePrivateKeyFile(JSON.stringify({ ...json, seed: Buffer.from(other.seed).toString('base64') }));
    expect(!parsed.ok && parsed.message).toMatch(/seed does not produce its publicKey/);
  });

  it('rejects a file whose keyid names another key', () => {
    const json = JSON.parse(encodePrivateKeyFile(pair)) as Record<string, string>;
    const parsed = parsePrivateKeyFile(JSON.stringify({ ...json, keyid: keyIdOf(generateKeyPair().publicKey) }));
    expect(!parsed.ok && parsed.message).toMatch(/is not the id of its publicKey/);
  });
});
