import { describe, it, expect } from 'vitest';
import { sha256Hex } from '../crypto/digest';
import { signEd25519 } from '../crypto/ed25519';
import { encodePublicKeyFile } from '../crypto/keys';
import { legacyIdentity, verifyLegacyTenant, type LegacyTenantInput } from './legacy';
import { HELLO_WASM, context, newKey, trusted, type TestKey } from './test-support';

const maintainer = newKey();
const ctx = context([trusted(maintainer, 'publisher')]);

/** The shape Night Core Worker writes: manifest with permissions/fuel_limit/timeout_ms, upper-case digest. */
function tenantFolder(key: TestKey, wasm = HELLO_WASM, over: Partial<LegacyTenantInput> = {}): LegacyTenantInput {
  return {
    wasm,
    sigText: Buffer.from(signEd25519(key.seed, wasm)).toString('base64'),
    pubkeyText: Buffer.from(key.publicKey).toString('base64'), // the Worker writes it without a newline
    sha256Text: `${sha256Hex(wasm).toUpperCase()}  module.wasm\n`,
    manifestText: JSON.stringify({
      name: 'example_module',
      version: '1.0.0',
      description: 'Hello module for tenant A',
      permissions: ['stdout', 'fs:read'],
      fuel_limit: 50000,
      timeout_ms: 3000,
    }),
    folderName: 'tenantA-hello',
    ...over,
  };
}

describe('verifyLegacyTenant', () => {
  it('imports a Worker tenant folder signed by a trusted key, with Night Core defaults for the rest', () => {
    const result = verifyLegacyTenant(tenantFolder(maintainer), ctx);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const v = result.value;
    expect(v.source).toBe('legacy');
    expect(v.signers.map((s) => s.keyid)).toEqual([maintainer.keyid]);
    expect(v.manifest).toMatchObject({
      name: 'example_module',
      version: '1.0.0',
      description: 'Hello module for tenant A',
      tenant: 'default',
      capabilities: ['stdout', 'stderr', 'exit'], // "fs:read" is not carried over: the manifest is unsigned
      limits: { fuel: 100_000_000, wallMs: 2000 },
      wasm: { sha256: sha256Hex(HELLO_WASM) },
    });
    expect(v.manifestSha256).toBe(sha256Hex(v.manifestCanonical));
  });

  it('UNTRUSTED_KEY when the folder ships its own key, even though the signature is valid under it', () => {
    const selfSigned = newKey();
    const result = verifyLegacyTenant(tenantFolder(selfSigned), ctx);
    expect(!result.ok && result.code).toBe('UNTRUSTED_KEY');
    expect(!result.ok && result.message).toMatch(selfSigned.keyid.slice(0, 16));
  });

  it('SIGNATURE_INVALID when the shipped pubkey names a trusted key but another key signed', () => {
    const attacker = newKey();
    const folder = tenantFolder(attacker, HELLO_WASM, { pubkeyText: encodePublicKeyFile(maintainer.publicKey) });
    const result = verifyLegacyTenant(folder, ctx);
    expect(!result.ok && result.code).toBe('SIGNATURE_INVALID');
  });

  it('DIGEST_MISMATCH when module.sha256 does not match, or holds no digest', () => {
    const wrong = verifyLegacyTenant(tenantFolder(maintainer, HELLO_WASM, { sha256Text: 'ab'.repeat(32) }), ctx);
    expect(!wrong.ok && wrong.code).toBe('DIGEST_MISMATCH');
    expect(!wrong.ok && wrong.message).toMatch(sha256Hex(HELLO_WASM));
    const junk = verifyLegacyTenant(tenantFolder(maintainer, HELLO_WASM, { sha256Text: 'hello' }), ctx);
    expect(!junk.ok && junk.message).toMatch(/does not hold a SHA-256/);
  });

  it('KEY_REVOKED when the stored key was revoked before the folder was first seen', () => {
    const revoked = context([trusted(maintainer, 'publisher', { status: 'revoked', revokedAt: new Date('2025-01-01T00:00:00Z') })]);
    expect(verifyLegacyTenant(tenantFolder(maintainer), revoked)).toMatchObject({ ok: false, code: 'KEY_REVOKED' });
  });

  it('WASM_INVALID, ROLLBACK and VERSION_REUSED apply as for bundles', () => {
    const junk = new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]);
    expect(verifyLegacyTenant(tenantFolder(maintainer, junk), ctx)).toMatchObject({ ok: false, code: 'WASM_INVALID' });
    const newer = { ...ctx, highestAccepted: { version: '2.0.0', wasmSha256: 'c'.repeat(64) } };
    expect(verifyLegacyTenant(tenantFolder(maintainer), newer)).toMatchObject({ ok: false, code: 'ROLLBACK' });
    const same = { ...ctx, highestAccepted: { version: '1.0.0', wasmSha256: 'c'.repeat(64) } };
    expect(verifyLegacyTenant(tenantFolder(maintainer), same)).toMatchObject({ ok: false, code: 'VERSION_REUSED' });
  });

  it('SIGNATURE_INVALID for a module.sig that is not a 64-byte base64 signature', () => {
    const result = verifyLegacyTenant(tenantFolder(maintainer, HELLO_WASM, { sigText: 'AAAA' }), ctx);
    expect(result).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('MANIFEST_INVALID for a manifest.json that is not JSON', () => {
    const result = verifyLegacyTenant(tenantFolder(maintainer, HELLO_WASM, { manifestText: '{oops' }), ctx);
    expect(result).toMatchObject({ ok: false, code: 'MANIFEST_INVALID' });
  });
});

describe('legacyIdentity', () => {
  it('falls back to the folder name and version 0.0.0 without a manifest.json', () => {
    expect(legacyIdentity('', 'tenantB-math')).toEqual({ ok: true, value: { name: 'tenantb-math', version: '0.0.0', description: '' } });
  });

  it('coerces loose versions and normalizes names', () => {
    const id = legacyIdentity(JSON.stringify({ name: 'My Module', version: 'v1.2' }), 'x');
    expect(id).toEqual({ ok: true, value: { name: 'my-module', version: '1.2.0', description: '' } });
  });

  it('refuses a version with no number in it and fields of the wrong type', () => {
    expect(legacyIdentity(JSON.stringify({ version: 'latest' }), 'x')).toMatchObject({ ok: false, code: 'MANIFEST_INVALID' });
    const typed = legacyIdentity(JSON.stringify({ name: 5, description: [] }), 'x');
    expect(!typed.ok && typed.issues?.map((i) => i.split(':')[0]).sort()).toEqual(['description', 'name']);
  });
});

describe('old code under a new version (issue 8)', () => {
  it('CODE_REUSED when the same bytes were accepted under a lower version of the name, relabelled or not', () => {
    const relabelled = tenantFolder(maintainer, HELLO_WASM, {
      manifestText: JSON.stringify({ name: 'example_module', version: '9.0.0' }),
    });
    const seen = { ...ctx, acceptedVersionsOfDigest: ['1.0.0'] };
    const result = verifyLegacyTenant(relabelled, seen);
    expect(result).toMatchObject({ ok: false, code: 'CODE_REUSED' });
    expect(!result.ok && result.message).toMatch(/already accepted as 1\.0\.0; old code cannot return as a newer version/);
    // The same version again is a re-import, not a relabel.
    expect(verifyLegacyTenant(tenantFolder(maintainer), seen).ok).toBe(true);
    // Nothing accepted yet: the first import is fine.
    expect(verifyLegacyTenant(relabelled, ctx).ok).toBe(true);
  });
});
