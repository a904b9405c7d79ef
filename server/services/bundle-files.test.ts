import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, readFileSync, readdirSync, existsSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_FILES, LEGACY_FILES, MAX_TEXT_BYTES, MAX_WASM_BYTES, moduleFolderFromFiles, readCapped, readModuleFolder, writeBundle } from './bundle-files';
import { signManifest } from '../core/module/sign';
import { verifyBundle } from '../core/module/verify';
import { HELLO_WASM, context, manifestFor, newKey, trusted } from '../core/module/test-support';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nc-bundle-files-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('writeBundle + readModuleFolder', () => {
  it('writes an unsigned bundle, then a signed one that verifies after reading back', () => {
    const key = newKey();
    const manifest = manifestFor(HELLO_WASM);
    const dir = join(root, 'hello-1.0.0');
    writeBundle(dir, HELLO_WASM, manifest, null);
    expect(existsSync(join(dir, BUNDLE_FILES.envelope))).toBe(false);
    const unsigned = readModuleFolder(dir);
    expect(unsigned.ok && unsigned.value.kind === 'bundle' && unsigned.value.envelopeText).toBe('');

    const signed = signManifest(manifest, null, key.seed);
    if (!signed.ok) throw new Error(signed.message);
    writeBundle(dir, HELLO_WASM, manifest, signed.value);
    const read = readModuleFolder(dir);
    expect(read.ok).toBe(true);
    if (!read.ok || read.value.kind !== 'bundle') return;
    expect(Buffer.from(read.value.wasm).equals(Buffer.from(HELLO_WASM))).toBe(true);
    expect(verifyBundle(read.value, context([trusted(key, 'publisher')])).ok).toBe(true);
    expect(readFileSync(join(dir, BUNDLE_FILES.manifest), 'utf8')).toContain('"name": "hello"');
    // The atomic writes leave no temporary files behind.
    expect(readdirSync(dir).sort()).toEqual([BUNDLE_FILES.wasm, BUNDLE_FILES.manifest, BUNDLE_FILES.envelope].sort());
  });

  it('detects a legacy tenant folder, with or without manifest.json', () => {
    const dir = join(root, 'tenantA-hello');
    mkdirSync(dir);
    writeFileSync(join(dir, LEGACY_FILES.wasm), HELLO_WASM);
    writeFileSync(join(dir, LEGACY_FILES.sig), 'c2ln');
    writeFileSync(join(dir, LEGACY_FILES.pubkey), 'cHVi');
    writeFileSync(join(dir, LEGACY_FILES.sha256), 'abc  module.wasm\n');
    const withoutManifest = readModuleFolder(dir);
    expect(withoutManifest).toMatchObject({ ok: true, value: { kind: 'legacy', folderName: 'tenantA-hello', manifestText: '', sigText: 'c2ln' } });
    writeFileSync(join(dir, LEGACY_FILES.manifest), '{"name":"x"}');
    expect(readModuleFolder(dir)).toMatchObject({ ok: true, value: { kind: 'legacy', manifestText: '{"name":"x"}', sha256Text: 'abc  module.wasm\n' } });
  });

  it('lists the expected files when a folder holds neither format', () => {
    writeFileSync(join(root, 'readme.txt'), 'hi');
    const result = readModuleFolder(root);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('NOT_A_MODULE_FOLDER');
    for (const name of ['module.wasm', 'nightcore.json', 'nightcore.sig.json', 'module.sig', 'pubkey.b64', 'module.sha256', 'manifest.json']) {
      expect(result.message).toContain(name);
    }
  });

  it('names the missing files of an incomplete folder', () => {
    writeFileSync(join(root, LEGACY_FILES.sig), 'x');
    const result = readModuleFolder(root);
    expect(result).toMatchObject({ ok: false, code: 'NOT_A_MODULE_FOLDER' });
    expect(!result.ok && result.issues).toEqual(['module.wasm is missing', 'pubkey.b64 is missing', 'module.sha256 is missing']);
  });

  it('refuses a missing directory or a file in its place', () => {
    expect(readModuleFolder(join(root, 'nope'))).toMatchObject({ ok: false, code: 'NOT_A_MODULE_FOLDER' });
    writeFileSync(join(root, 'file'), '');
    expect(readModuleFolder(join(root, 'file'))).toMatchObject({ ok: false, code: 'NOT_A_MODULE_FOLDER' });
  });
});

describe('size caps and symlinks', () => {
  it('refuses a wasm over 64 MiB and a json file over 1 MiB without reading them', () => {
    writeFileSync(join(root, BUNDLE_FILES.manifest), '{}');
    writeFileSync(join(root, BUNDLE_FILES.wasm), '');
    truncateSync(join(root, BUNDLE_FILES.wasm), MAX_WASM_BYTES + 1); // sparse: no 64 MiB written
    const big = readModuleFolder(root);
    expect(big).toMatchObject({ ok: false, code: 'READ_FAILED' });
    expect(!big.ok && big.message).toMatch(/the limit is 64\.0 MiB/);

    truncateSync(join(root, BUNDLE_FILES.wasm), 8);
    truncateSync(join(root, BUNDLE_FILES.manifest), MAX_TEXT_BYTES + 1);
    expect(readModuleFolder(root)).toMatchObject({ ok: false, code: 'READ_FAILED' });
    truncateSync(join(root, BUNDLE_FILES.manifest), MAX_TEXT_BYTES);
    expect(readModuleFolder(root)).toMatchObject({ ok: true });
  });

  it('refuses a symlinked file', () => {
    writeFileSync(join(root, 'outside.json'), '{}');
    symlinkSync(join(root, 'outside.json'), join(root, 'link.json'));
    const result = readCapped(join(root, 'link.json'), 1024);
    expect(result).toMatchObject({ ok: false, code: 'READ_FAILED' });
    expect(!result.ok && result.message).toMatch(/symbolic link/);
  });

  it('refuses json files that are not UTF-8', () => {
    writeFileSync(join(root, BUNDLE_FILES.wasm), HELLO_WASM);
    writeFileSync(join(root, BUNDLE_FILES.manifest), Buffer.from([0xff, 0xfe, 0x7b]));
    const result = readModuleFolder(root);
    expect(!result.ok && result.message).toMatch(/not UTF-8/);
  });
});

describe('moduleFolderFromFiles (an upload held in memory)', () => {
  const files = (entries: Record<string, Uint8Array | string>) =>
    new Map(Object.entries(entries).map(([n, v]) => [n, typeof v === 'string' ? new TextEncoder().encode(v) : v]));

  it('reads exactly what the same folder on disk reads', () => {
    const manifest = manifestFor(HELLO_WASM);
    const signed = signManifest(manifest, null, newKey().seed);
    if (!signed.ok) throw new Error(signed.message);
    const dir = join(root, 'same');
    writeBundle(dir, HELLO_WASM, manifest, signed.value);
    const onDisk = readModuleFolder(dir);
    const inMemory = moduleFolderFromFiles(new Map(readdirSync(dir).map((n) => [n, new Uint8Array(readFileSync(join(dir, n)))])), 'same');
    if (!onDisk.ok || !inMemory.ok) throw new Error('both should read');
    expect({ ...inMemory.value, dir: '' }).toEqual({ ...onDisk.value, dir: '' });
    expect(inMemory.value.dir).toBe('upload:same');
  });

  it('takes a legacy module name from the folder name it is given', () => {
    const read = moduleFolderFromFiles(files({ 'module.wasm': HELLO_WASM, 'module.sig': 'c2ln', 'pubkey.b64': 'cHVi', 'module.sha256': 'abc' }), 'tenantB-hello');
    expect(read).toMatchObject({ ok: true, value: { kind: 'legacy', folderName: 'tenantB-hello', manifestText: '' } });
  });

  it('names missing files, refuses text that is not UTF-8, and applies the same size caps', () => {
    const missing = moduleFolderFromFiles(files({ 'module.sig': 'x' }), 'u');
    expect(!missing.ok && missing.issues).toEqual(['module.wasm is missing', 'pubkey.b64 is missing', 'module.sha256 is missing']);
    const notUtf8 = moduleFolderFromFiles(files({ 'module.wasm': HELLO_WASM, 'nightcore.json': new Uint8Array([0xff, 0xfe, 0x7b]) }), 'u');
    expect(!notUtf8.ok && notUtf8.message).toMatch(/upload:u\/nightcore\.json is not UTF-8/);
    const big = moduleFolderFromFiles(files({ 'module.wasm': HELLO_WASM, 'nightcore.json': new Uint8Array(MAX_TEXT_BYTES + 1) }), 'u');
    expect(big).toMatchObject({ ok: false, code: 'READ_FAILED' });
    expect(moduleFolderFromFiles(files({ 'readme.txt': 'hi' }), 'u')).toMatchObject({ ok: false, code: 'NOT_A_MODULE_FOLDER' });
  });
});
