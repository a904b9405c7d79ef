import { describe, it, expect } from 'vitest';
import { sha256Hex } from '../crypto/digest';
import { verifyEd25519 } from '../crypto/ed25519';
import { createManifest, DEFAULT_LIMITS, manifestSigningInput, signManifest } from './sign';
import { canonicalJson } from './canonical';
import { MANIFEST_PAYLOAD_TYPE, serializeEnvelope } from './dsse';
import { HELLO_WASM, manifestFor, newKey } from './test-support';

describe('createManifest', () => {
  it('pins the wasm digest and fills the documented defaults', () => {
    const created = createManifest(HELLO_WASM, { name: 'hello', version: '1.0.0', limits: { fuel: 5000, wallMs: undefined } });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.value).toEqual({
      format: 'nightcore.module/v1',
      name: 'hello',
      version: '1.0.0',
      tenant: 'default',
      description: '',
      entry: '_start',
      capabilities: ['stdout', 'stderr', 'exit'],
      limits: { ...DEFAULT_LIMITS, fuel: 5000 },
      wasm: { sha256: sha256Hex(HELLO_WASM) },
    });
    expect(DEFAULT_LIMITS).toEqual({ fuel: 100_000_000, memoryPages: 16, wallMs: 2000, outputBytes: 1_048_576 });
  });

  it('lists every bad field', () => {
    const created = createManifest(HELLO_WASM, { name: 'No Spaces', version: '1', tenant: 'UPPER', limits: { memoryPages: 70000 } });
    expect(created.ok).toBe(false);
    if (created.ok) return;
    expect(created.code).toBe('MANIFEST_INVALID');
    expect((created.issues ?? []).map((i) => i.split(':')[0]).sort()).toEqual(['limits.memoryPages', 'name', 'tenant', 'version']);
  });
});

describe('signManifest', () => {
  const manifest = manifestFor(HELLO_WASM);
  const alice = newKey();
  const bob = newKey();

  it('signs PAE(payloadType, JCS(manifest)) with the key id of the signer', () => {
    const signed = signManifest(manifest, null, alice.seed);
    expect(signed.ok).toBe(true);
    if (!signed.ok) return;
    const canonical = canonicalJson(manifest);
    expect(canonical.ok).toBe(true);
    if (!canonical.ok) return;
    expect(signed.value.payloadType).toBe(MANIFEST_PAYLOAD_TYPE);
    expect(Buffer.from(signed.value.payload, 'base64').toString('utf8')).toBe(canonical.value);
    expect(signed.value.signatures).toHaveLength(1);
    const { keyid, sig } = signed.value.signatures[0]!;
    expect(keyid).toBe(alice.keyid);
    const { pae } = manifestSigningInput(canonical.value);
    expect(verifyEd25519(alice.publicKey, pae, new Uint8Array(Buffer.from(sig, 'base64')))).toBe(true);
    // The bare payload is not what was signed.
    expect(verifyEd25519(alice.publicKey, new TextEncoder().encode(canonical.value), new Uint8Array(Buffer.from(sig, 'base64')))).toBe(false);
  });

  it('keeps other signatures and replaces the same key\'s earlier one, from an object or from text', () => {
    const first = signManifest(manifest, null, alice.seed);
    if (!first.ok) throw new Error(first.message);
    const second = signManifest(manifest, serializeEnvelope(first.value), bob.seed);
    if (!second.ok) throw new Error(second.message);
    expect(second.value.signatures.map((s) => s.keyid)).toEqual([alice.keyid, bob.keyid]);
    const again = signManifest(manifest, second.value, alice.seed);
    if (!again.ok) throw new Error(again.message);
    expect(again.value.signatures.map((s) => s.keyid)).toEqual([alice.keyid, bob.keyid]);
  });

  it('refuses an envelope that signs a different manifest', () => {
    const first = signManifest(manifest, null, alice.seed);
    if (!first.ok) throw new Error(first.message);
    const changed = { ...manifest, version: '1.0.1' };
    const result = signManifest(changed, first.value, bob.seed);
    expect(!result.ok && result.code).toBe('PAYLOAD_MISMATCH');
  });

  it('refuses a malformed envelope, an invalid manifest and a bad seed', () => {
    expect(signManifest(manifest, '{"payloadType":1}', alice.seed)).toMatchObject({ ok: false, code: 'ENVELOPE_INVALID' });
    expect(signManifest({ ...manifest, name: '' }, null, alice.seed)).toMatchObject({ ok: false, code: 'MANIFEST_INVALID' });
    expect(signManifest(manifest, null, new Uint8Array(16))).toMatchObject({ ok: false, code: 'KEY_INVALID' });
  });
});

describe('createManifest: the table cap', () => {
  it('carries a requested tableElements, leaves it out when not asked, and refuses one above the schema maximum', () => {
    const asked = createManifest(HELLO_WASM, { name: 'tables', version: '1.0.0', limits: { tableElements: 500 } });
    expect(asked.ok && asked.value.limits.tableElements).toBe(500);
    const notAsked = createManifest(HELLO_WASM, { name: 'tables', version: '1.0.0' });
    expect(notAsked.ok && 'tableElements' in notAsked.value.limits).toBe(false);
    const tooMany = createManifest(HELLO_WASM, { name: 'tables', version: '1.0.0', limits: { tableElements: 1_000_001 } });
    expect(tooMany).toMatchObject({ ok: false, code: 'MANIFEST_INVALID' });
    expect(!tooMany.ok && tooMany.issues?.join(' ')).toMatch(/limits\.tableElements/);
  });
});
