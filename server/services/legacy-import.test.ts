/**
 * Regressions (issue 8, "old code comes back as a new version"): a legacy folder's signature covers
 * only the wasm bytes, so relabelling an old trusted module as 9.0.0 imported it as the newest
 * version. Now: old code never returns under a higher version (any format), legacy imports are an
 * explicit admin action that records the unsigned origin, every decision record flags it, and a
 * policy can refuse legacy modules.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signEd25519 } from '../core/crypto/ed25519';
import { sha256Hex } from '../core/crypto/digest';
import { HELLO, variant } from '../core/sandbox/test-modules';
import { openHarness, type Harness } from './test-fixtures';

const STDIO = { capabilities: ['stdout', 'stderr', 'exit'] as ('stdout' | 'stderr' | 'exit')[] };

describe('legacy imports and old code', () => {
  let h: Harness;
  let work: string;
  beforeAll(() => {
    h = openHarness();
    work = mkdtempSync(join(tmpdir(), 'nightcore-legacy-'));
  });
  afterAll(() => h.services.close());

  /** A Night Core Worker tenant folder signed by the registered publisher. */
  function tenantFolder(folder: string, wasm: Uint8Array, manifest: Record<string, unknown>): string {
    const dir = join(work, folder);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'module.wasm'), wasm);
    writeFileSync(join(dir, 'module.sig'), Buffer.from(signEd25519(h.publisher.seed, wasm)).toString('base64'));
    writeFileSync(join(dir, 'pubkey.b64'), Buffer.from(h.publisher.publicKey).toString('base64'));
    writeFileSync(join(dir, 'module.sha256'), `${sha256Hex(wasm)}  module.wasm\n`);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  }

  it('refuses a legacy folder unless the caller took the admin decision, and audits the refusal', () => {
    const dir = tenantFolder('plain', variant(HELLO, 'plain'), { name: 'plain', version: '1.0.0' });
    const refused = h.services.modules.importFolder(dir, 'user:operator');
    expect(!refused.ok && refused.code).toBe('LEGACY_NOT_ALLOWED');
    const events = h.services.audit.page({ subject: `folder:${dir}` });
    expect(events.ok && events.value.events.map((e) => e.action)).toEqual(['module.rejected']);
  });

  it('records the unsigned origin at import and flags every decision record; a policy may refuse it', async () => {
    const wasm = variant(HELLO, 'tenant-a');
    const manifestText = JSON.stringify({ name: 'tenant-a-hello', version: '1.0.0', description: 'old' });
    const dir = tenantFolder('tenant-a', wasm, JSON.parse(manifestText));
    const row = h.services.modules.importFolder(dir, 'user:admin', { allowLegacy: true });
    if (!row.ok) throw new Error(row.message);
    const origin = { format: 'nightcore.legacy-signature/v1', folderName: 'tenant-a', unsignedManifestSha256: sha256Hex(manifestText) };

    const imported = h.services.audit.page({ subject: 'module:tenant-a-hello@1.0.0' });
    const event = imported.ok ? imported.value.events.find((e) => e.action === 'module.imported') : undefined;
    expect(JSON.parse(event!.payload).legacy).toEqual(origin);
    expect(h.services.modules.reverify(row.value).legacy).toEqual(origin);

    const ran = await h.services.governor.run(row.value, {}, 'test:operator');
    if (!ran.ok) throw new Error(ran.message);
    expect(ran.value.record.module.legacy).toEqual(origin);
    // The shipped default policy allows legacy modules; the rule says why it passed.
    expect(ran.value.record.pre.rules.find((r) => r.id === 'legacy_modules')).toMatchObject({ outcome: 'pass' });
  });

  it('refuses old code relabelled as a newer version, so the real next release still imports', () => {
    const old = variant(HELLO, 'relabel');
    const first = h.services.modules.importFolder(tenantFolder('relabel-1', old, { name: 'relabel', version: '1.0.0' }), 'user:admin', { allowLegacy: true });
    expect(first.ok).toBe(true);
    // The attack: the same trusted bytes, the unsigned manifest now says 9.0.0.
    const relabelled = h.services.modules.importFolder(tenantFolder('relabel-9', old, { name: 'relabel', version: '9.0.0' }), 'user:admin', { allowLegacy: true });
    expect(!relabelled.ok && relabelled.code).toBe('CODE_REUSED');
    expect(!relabelled.ok && relabelled.message).toMatch(/already accepted as 1\.0\.0/);
    expect(h.services.modules.latest('relabel')?.version).toBe('1.0.0');
    // ... in any format: the same bytes signed as a bundle 2.0.0 are refused too.
    expect(() => h.install(old, { name: 'relabel', version: '2.0.0', ...STDIO })).toThrow(/CODE_REUSED/);
    // Re-importing the same code under the same version stays idempotent.
    const again = h.services.modules.importFolder(tenantFolder('relabel-1b', old, { name: 'relabel', version: '1.0.0' }), 'user:admin', { allowLegacy: true });
    expect(again.ok && again.value.id).toBe(first.ok && first.value.id);
    // The genuine next release (new code) is not locked out.
    const next = h.install(variant(HELLO, 'relabel-next'), { name: 'relabel', version: '1.1.0', ...STDIO });
    expect(next.version).toBe('1.1.0');
    expect(h.services.modules.latest('relabel')?.version).toBe('1.1.0');
  });
});

describe('a policy that refuses legacy modules', () => {
  let h: Harness;
  beforeAll(() => {
    const policy = JSON.parse(readFileSync(join(import.meta.dirname, '../../policies/default.json'), 'utf8'));
    policy.pre.legacy_modules = { severity: 'high', mode: 'deny' };
    const path = join(mkdtempSync(join(tmpdir(), 'nightcore-policy-')), 'no-legacy.json');
    writeFileSync(path, JSON.stringify(policy));
    h = openHarness({ policyPath: path });
  });
  afterAll(() => h.services.close());

  it('denies a legacy module before it runs, naming legacy_modules; a bundle still runs', async () => {
    const wasm = variant(HELLO, 'legacy-denied');
    const dir = mkdtempSync(join(tmpdir(), 'nightcore-legacy-'));
    writeFileSync(join(dir, 'module.wasm'), wasm);
    writeFileSync(join(dir, 'module.sig'), Buffer.from(signEd25519(h.publisher.seed, wasm)).toString('base64'));
    writeFileSync(join(dir, 'pubkey.b64'), Buffer.from(h.publisher.publicKey).toString('base64'));
    writeFileSync(join(dir, 'module.sha256'), sha256Hex(wasm));
    const row = h.services.modules.importFolder(dir, 'user:admin', { allowLegacy: true });
    if (!row.ok) throw new Error(row.message);
    const ran = await h.services.governor.run(row.value, {}, 'test:operator');
    if (!ran.ok) throw new Error(ran.message);
    expect(ran.value.record.decision).toBe('deny');
    expect(ran.value.record.execution).toBeNull();
    expect(ran.value.record.pre.rules.filter((r) => r.outcome === 'fail').map((r) => r.id)).toEqual(['legacy_modules']);

    const bundle = h.install(variant(HELLO, 'bundle-ok'), { name: 'bundle-ok', ...STDIO });
    const ok = await h.services.governor.run(bundle, {}, 'test:operator');
    expect(ok.ok && ok.value.record.decision).toBe('allow');
  });
});
