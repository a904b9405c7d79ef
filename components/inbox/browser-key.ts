/**
 * The approver's Ed25519 key in the browser. The private key is generated here and never leaves the
 * device: it is stored in localStorage only encrypted, with AES-GCM under a key derived from the
 * person's passphrase (PBKDF2-SHA-256, 600 000 iterations, random salt), all through WebCrypto.
 * Signing decrypts it for the one signature; a wrong passphrase fails AES-GCM's tag check.
 */
import * as ed from '@noble/ed25519';
import { canonicalText, signingBytes, toBase64, fromBase64, type Statement } from './approval-statement';

const PBKDF2_ITERATIONS = 600_000;
const STORAGE_PREFIX = 'nightcore.approval-key.';
export const MIN_PASSPHRASE = 12;

export interface StoredKey {
  readonly format: 'nightcore.browser-approval-key/v1';
  readonly keyid: string;
  readonly publicKey: string;
  readonly salt: string;
  readonly iv: string;
  readonly sealed: string;
  readonly iterations: number;
}

export interface SignedApproval {
  readonly payload: string;
  readonly keyid: string;
  readonly sig: string;
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

async function wrappingKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** Creates a key pair, seals the private key with the passphrase and returns what to store and register. */
export async function createBrowserKey(passphrase: string): Promise<StoredKey> {
  if (passphrase.length < MIN_PASSPHRASE) throw new Error(`use a passphrase of at least ${MIN_PASSPHRASE} characters`);
  const seed = ed.utils.randomSecretKey();
  const publicKey = await ed.getPublicKeyAsync(seed);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await wrappingKey(passphrase, salt, PBKDF2_ITERATIONS);
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, seed as Uint8Array<ArrayBuffer>);
  seed.fill(0);
  return {
    format: 'nightcore.browser-approval-key/v1',
    keyid: hex(await crypto.subtle.digest('SHA-256', publicKey as Uint8Array<ArrayBuffer>)),
    publicKey: toBase64(publicKey),
    salt: toBase64(salt),
    iv: toBase64(iv),
    sealed: toBase64(new Uint8Array(sealed)),
    iterations: PBKDF2_ITERATIONS,
  };
}

/** Signs one statement; throws 'wrong passphrase' when the sealed key does not open. */
export async function signWithBrowserKey(stored: StoredKey, passphrase: string, statement: Statement): Promise<SignedApproval> {
  const key = await wrappingKey(passphrase, fromBase64(stored.salt), stored.iterations);
  let seed: Uint8Array;
  try {
    seed = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(stored.iv) as Uint8Array<ArrayBuffer> }, key, fromBase64(stored.sealed) as Uint8Array<ArrayBuffer>));
  } catch {
    throw new Error('wrong passphrase');
  }
  try {
    const canonical = canonicalText(statement);
    const sig = await ed.signAsync(signingBytes(canonical), seed);
    return { payload: toBase64(new TextEncoder().encode(canonical)), keyid: stored.keyid, sig: toBase64(sig) };
  } finally {
    seed.fill(0);
  }
}

export function loadKey(storage: Storage, username: string): StoredKey | null {
  const text = storage.getItem(STORAGE_PREFIX + username);
  if (!text) return null;
  try {
    const v = JSON.parse(text) as StoredKey;
    return v.format === 'nightcore.browser-approval-key/v1' ? v : null;
  } catch {
    return null;
  }
}

export function saveKey(storage: Storage, username: string, key: StoredKey): void {
  storage.setItem(STORAGE_PREFIX + username, JSON.stringify(key));
}
