/**
 * Test support (not shipped behaviour): small wasm modules built from WAT, keys generated on the
 * spot, an in-memory trust store and a helper that produces a signed bundle.
 */
import { wat } from '../sandbox/test-modules';
import { generateKeyPair } from '../crypto/ed25519';
import { keyIdOf } from '../crypto/keys';
import { createManifest, signManifest, type ManifestFields } from './sign';
import { serializeEnvelope } from './dsse';
import type { TManifest } from './manifest';
import type { BundleInput, KeyRole, TrustedKey, VerifyContext } from './verify';

export { wat };

export const HELLO_WASM = wat(`(module
  (memory (export "memory") 1)
  (func (export "_start") nop))`);

export interface TestKey {
  seed: Uint8Array;
  publicKey: Uint8Array;
  keyid: string;
}

export function newKey(): TestKey {
  const pair = generateKeyPair();
  return { ...pair, keyid: keyIdOf(pair.publicKey) };
}

export function trusted(key: TestKey, role: KeyRole, over: Partial<TrustedKey> = {}): TrustedKey {
  return { keyid: key.keyid, name: `${role}-${key.keyid.slice(0, 6)}`, role, publicKey: key.publicKey, status: 'active', revokedAt: null, ...over };
}

export function context(keys: TrustedKey[], over: Partial<VerifyContext> = {}): VerifyContext {
  const byId = new Map(keys.map((k) => [k.keyid, k]));
  return { lookupKey: (id) => byId.get(id), requiredRole: 'publisher', signedAt: new Date('2025-06-01T00:00:00Z'), ...over };
}

export function manifestFor(wasm: Uint8Array, fields: Partial<ManifestFields> = {}): TManifest {
  const created = createManifest(wasm, { name: 'hello', version: '1.0.0', ...fields });
  if (!created.ok) throw new Error(`${created.message}: ${created.issues?.join('; ')}`);
  return created.value;
}

/** A bundle signed by every given key, as the three texts/bytes a folder would hold. */
export function signedBundle(wasm: Uint8Array, signers: TestKey[], fields: Partial<ManifestFields> = {}): BundleInput {
  const manifest = manifestFor(wasm, fields);
  let envelope = null;
  for (const key of signers) {
    const signed = signManifest(manifest, envelope, key.seed);
    if (!signed.ok) throw new Error(signed.message);
    envelope = signed.value;
  }
  return {
    wasm,
    manifestText: `${JSON.stringify(manifest, null, 2)}\n`,
    envelopeText: envelope ? serializeEnvelope(envelope) : '',
  };
}
