import { describe, it, expect } from 'vitest';
import { sha256Hex } from '../crypto/digest';
import { VERIFY_CODES, verifyBundle, type VerifyCode } from './verify';
import { canonicalJson } from './canonical';
import { HELLO_WASM, context, newKey, signedBundle, trusted, wat } from './test-support';
import type { Result } from '../result';

const publisher = newKey();
const ctx = context([trusted(publisher, 'publisher')]);

function expectCode(result: Result<unknown, VerifyCode>, code: VerifyCode, message?: RegExp) {
  expect(result.ok ? 'ok' : `${result.code}: ${result.message}`).toMatch(new RegExp(`^${code}`));
  if (!result.ok && message) expect(result.message).toMatch(message);
}

describe('verifyBundle happy path', () => {
  it('accepts a bundle signed by a trusted publisher and reports what it verified', () => {
    const bundle = signedBundle(HELLO_WASM, [publisher]);
    const result = verifyBundle(bundle, ctx);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const v = result.value;
    expect(v.source).toBe('bundle');
    expect(v.wasmSha256).toBe(sha256Hex(HELLO_WASM));
    expect(v.manifest.name).toBe('hello');
    expect(v.manifestCanonical.startsWith('{"capabilities":')).toBe(true);
    expect(v.manifestSha256).toBe(sha256Hex(v.manifestCanonical));
    expect(v.signers).toEqual([{ keyid: publisher.keyid, name: expect.any(String), role: 'publisher' }]);
  });

  it('accepts one trusted and one untrusted signature together', () => {
    const stranger = newKey();
    const result = verifyBundle(signedBundle(HELLO_WASM, [stranger, publisher]), ctx);
    expect(result.ok && result.value.signers.map((s) => s.keyid)).toEqual([publisher.keyid]);
  });

  it('lists an approver signature after the publisher one', () => {
    const approver = newKey();
    const both = context([trusted(publisher, 'publisher'), trusted(approver, 'approver')]);
    const result = verifyBundle(signedBundle(HELLO_WASM, [approver, publisher]), both);
    expect(result.ok && result.value.signers.map((s) => s.role)).toEqual(['publisher', 'approver']);
  });

  it('does not depend on the formatting of nightcore.json', () => {
    const bundle = signedBundle(HELLO_WASM, [publisher]);
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(bundle.manifestText) as object).reverse()));
    const [first, second] = [verifyBundle(bundle, ctx), verifyBundle({ ...bundle, manifestText: reordered }, ctx)];
    expect(second.ok).toBe(true);
    // The canonical form's digest is computed with the parse (and cached with it): the same for both texts.
    expect(first.ok && second.ok && second.value.manifestSha256 === first.value.manifestSha256).toBe(true);
  });
});

describe('verifyBundle caches nothing that trust depends on', () => {
  // The same bundle, verified again and again, keeps its parse and the key's KeyObject cached;
  // every answer about trust must still come from the trust store as it is at that call.
  it('a key revoked, removed or replaced after a successful verification fails the next one', () => {
    const bundle = signedBundle(HELLO_WASM, [publisher]);
    const keys = new Map([[publisher.keyid, trusted(publisher, 'publisher')]]);
    const live = context([], { lookupKey: (id) => keys.get(id), signedAt: new Date('2025-06-01T00:00:00Z') });
    for (let i = 0; i < 3; i++) expect(verifyBundle(bundle, live).ok).toBe(true);

    keys.set(publisher.keyid, trusted(publisher, 'publisher', { status: 'revoked', revokedAt: new Date('2025-05-01T00:00:00Z') }));
    expectCode(verifyBundle(bundle, live), 'KEY_REVOKED');

    keys.delete(publisher.keyid);
    expectCode(verifyBundle(bundle, live), 'UNTRUSTED_KEY');

    // The same key id now stored with another public key (a corrupted or hostile store row).
    keys.set(publisher.keyid, { ...trusted(publisher, 'publisher'), publicKey: newKey().publicKey });
    expectCode(verifyBundle(bundle, live), 'SIGNATURE_INVALID');

    // The stored key's array rewritten in place to another key: the KeyObject cached for it must not be reused.
    const restored = trusted(publisher, 'publisher', { publicKey: publisher.publicKey.slice() });
    keys.set(publisher.keyid, restored);
    expect(verifyBundle(bundle, live).ok).toBe(true);
    restored.publicKey.set(newKey().publicKey);
    expectCode(verifyBundle(bundle, live), 'SIGNATURE_INVALID');

    // Demoted to another role.
    keys.set(publisher.keyid, trusted(publisher, 'approver'));
    expectCode(verifyBundle(bundle, live), 'UNTRUSTED_KEY');
  });

  it('checks the digest pin on every call, after the same manifest and envelope have verified', () => {
    const bundle = signedBundle(HELLO_WASM, [publisher]);
    expect(verifyBundle(bundle, ctx).ok).toBe(true);
    const tampered = HELLO_WASM.slice();
    tampered[tampered.length - 1]! ^= 1;
    expectCode(verifyBundle({ ...bundle, wasm: tampered }, ctx), 'DIGEST_MISMATCH');
    expect(verifyBundle(bundle, ctx).ok).toBe(true);
  });
});

describe('verifyBundle rejections, one per code', () => {
  it('exports the closed list of codes', () => {
    expect([...VERIFY_CODES].sort()).toEqual(
      ['CODE_REUSED', 'DIGEST_MISMATCH', 'ENVELOPE_INVALID', 'KEY_REVOKED', 'MANIFEST_INVALID', 'NOT_APPROVED', 'ROLLBACK', 'SIGNATURE_INVALID', 'UNTRUSTED_KEY', 'VERSION_REUSED', 'WASM_INVALID'],
    );
  });

  it('DIGEST_MISMATCH when one byte of the wasm changes', () => {
    const bundle = signedBundle(HELLO_WASM, [publisher]);
    const tampered = HELLO_WASM.slice();
    tampered[tampered.length - 1]! ^= 0x01;
    expectCode(verifyBundle({ ...bundle, wasm: tampered }, ctx), 'DIGEST_MISMATCH', new RegExp(sha256Hex(tampered)));
  });

  it('SIGNATURE_INVALID when a manifest field is edited after signing', () => {
    const bundle = signedBundle(HELLO_WASM, [publisher]);
    const edited = JSON.parse(bundle.manifestText) as { limits: { fuel: number } };
    edited.limits.fuel *= 10; // asking for more fuel than was signed for
    expectCode(verifyBundle({ ...bundle, manifestText: JSON.stringify(edited) }, ctx), 'SIGNATURE_INVALID', /different manifest/);
  });

  it('SIGNATURE_INVALID when the envelope payload is edited to match an edited manifest', () => {
    const bundle = signedBundle(HELLO_WASM, [publisher]);
    const envelope = JSON.parse(bundle.envelopeText) as { payload: string };
    const manifest = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as { capabilities: string[] };
    manifest.capabilities.push('random');
    const manifestText = JSON.stringify(manifest);
    // The attacker re-canonicalizes properly, so only the signature can catch it.
    const canonical = canonicalJson(manifest);
    if (!canonical.ok) throw new Error(canonical.message);
    const forgedPayload = Buffer.from(canonical.value).toString('base64');
    const envelopeText = JSON.stringify({ ...envelope, payload: forgedPayload });
    expectCode(verifyBundle({ ...bundle, manifestText, envelopeText }, ctx), 'SIGNATURE_INVALID', new RegExp(publisher.keyid.slice(0, 16)));
  });

  it('SIGNATURE_INVALID when a signature is corrupted', () => {
    const bundle = signedBundle(HELLO_WASM, [publisher]);
    const envelope = JSON.parse(bundle.envelopeText) as { signatures: { keyid: string; sig: string }[] };
    const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
    sig[5]! ^= 0x20;
    envelope.signatures[0]!.sig = sig.toString('base64');
    expectCode(verifyBundle({ ...bundle, envelopeText: JSON.stringify(envelope) }, ctx), 'SIGNATURE_INVALID', /does not verify/);
  });

  it('UNTRUSTED_KEY when no signer is in the trust store, naming the key', () => {
    const stranger = newKey();
    expectCode(verifyBundle(signedBundle(HELLO_WASM, [stranger]), ctx), 'UNTRUSTED_KEY', new RegExp(stranger.keyid.slice(0, 16)));
  });

  it('SIGNATURE_INVALID when the envelope claims a trusted keyid but another key signed', () => {
    const attacker = newKey();
    const bundle = signedBundle(HELLO_WASM, [attacker]);
    const envelope = JSON.parse(bundle.envelopeText) as { signatures: { keyid: string }[] };
    envelope.signatures[0]!.keyid = publisher.keyid; // the stored key is used, so this cannot verify
    expectCode(verifyBundle({ ...bundle, envelopeText: JSON.stringify(envelope) }, ctx), 'SIGNATURE_INVALID');
  });

  it('UNTRUSTED_KEY when the only signer has the wrong role', () => {
    const approver = newKey();
    const result = verifyBundle(signedBundle(HELLO_WASM, [approver]), context([trusted(approver, 'approver')]));
    expectCode(result, 'UNTRUSTED_KEY', /trusted as approver, but a publisher signature is required/);
  });

  it('KEY_REVOKED when the signature was first seen after the revocation; ok when before', () => {
    const revokedAt = new Date('2025-03-01T00:00:00Z');
    const keys = [trusted(publisher, 'publisher', { status: 'revoked', revokedAt })];
    const bundle = signedBundle(HELLO_WASM, [publisher]);
    expectCode(verifyBundle(bundle, context(keys, { signedAt: new Date('2025-03-02T00:00:00Z') })), 'KEY_REVOKED', /revoked at 2025-03-01/);
    expect(verifyBundle(bundle, context(keys, { signedAt: new Date('2025-02-28T00:00:00Z') })).ok).toBe(true);
    expectCode(verifyBundle(bundle, context(keys, { signedAt: revokedAt })), 'KEY_REVOKED');
  });

  it('KEY_REVOKED for a revoked key with no revocation time', () => {
    const keys = [trusted(publisher, 'publisher', { status: 'revoked', revokedAt: null })];
    expectCode(verifyBundle(signedBundle(HELLO_WASM, [publisher]), context(keys)), 'KEY_REVOKED');
  });

  it('WASM_INVALID when the digest matches but the bytes are not a valid module', () => {
    const notWasm = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0xff]);
    expectCode(verifyBundle(signedBundle(notWasm, [publisher]), ctx), 'WASM_INVALID');
  });

  it('ROLLBACK below the highest accepted version, naming both versions', () => {
    const bundle = signedBundle(HELLO_WASM, [publisher], { version: '1.2.0' });
    const result = verifyBundle(bundle, { ...ctx, highestAccepted: { version: '1.10.0', wasmSha256: 'a'.repeat(64) } });
    expectCode(result, 'ROLLBACK', /1\.2\.0 is older than the accepted 1\.10\.0/);
  });

  it('VERSION_REUSED for the same version with different code; a re-import of the same code is fine', () => {
    const bundle = signedBundle(HELLO_WASM, [publisher], { version: '2.0.0' });
    const other = wat('(module (func (export "_start")))');
    expectCode(verifyBundle(bundle, { ...ctx, highestAccepted: { version: '2.0.0', wasmSha256: sha256Hex(other) } }), 'VERSION_REUSED');
    expect(verifyBundle(bundle, { ...ctx, highestAccepted: { version: '2.0.0', wasmSha256: sha256Hex(HELLO_WASM) } }).ok).toBe(true);
    expect(verifyBundle(bundle, { ...ctx, highestAccepted: { version: '1.9.9', wasmSha256: sha256Hex(other) } }).ok).toBe(true);
  });

  it('MANIFEST_INVALID lists every bad field', () => {
    const bundle = signedBundle(HELLO_WASM, [publisher]);
    const manifest = JSON.parse(bundle.manifestText) as Record<string, unknown>;
    Object.assign(manifest, { name: 'Bad Name', version: 'one', capabilities: ['network'], extra: 1 });
    (manifest.limits as Record<string, unknown>).fuel = -5;
    const result = verifyBundle({ ...bundle, manifestText: JSON.stringify(manifest) }, ctx);
    expectCode(result, 'MANIFEST_INVALID');
    const fields = (!result.ok && result.issues ? result.issues : []).map((i) => i.split(':')[0]);
    expect(fields).toEqual(expect.arrayContaining(['name', 'version', 'capabilities.0', 'limits.fuel', '(root)']));
  });

  it('MANIFEST_INVALID when nightcore.json is not JSON', () => {
    expectCode(verifyBundle({ ...signedBundle(HELLO_WASM, [publisher]), manifestText: '{"name":' }, ctx), 'MANIFEST_INVALID', /not JSON/);
  });

  it('ENVELOPE_INVALID for a missing, non-JSON or malformed envelope, listing every bad field', () => {
    const bundle = signedBundle(HELLO_WASM, [publisher]);
    expectCode(verifyBundle({ ...bundle, envelopeText: '' }, ctx), 'ENVELOPE_INVALID', /not signed/);
    expectCode(verifyBundle({ ...bundle, envelopeText: 'nope' }, ctx), 'ENVELOPE_INVALID', /not JSON/);
    const bad = { payloadType: 'text/plain', payload: '***', signatures: [{ keyid: 'XY', sig: 'AAAA' }] };
    const result = verifyBundle({ ...bundle, envelopeText: JSON.stringify(bad) }, ctx);
    expectCode(result, 'ENVELOPE_INVALID');
    const fields = (!result.ok && result.issues ? result.issues : []).map((i) => i.split(':')[0]);
    expect(fields).toEqual(expect.arrayContaining(['payloadType', 'payload', 'signatures.0.keyid', 'signatures.0.sig']));
  });
});
