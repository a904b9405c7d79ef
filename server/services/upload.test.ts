/**
 * Upload extraction: loose files and archives are turned into one module folder and imported
 * through the registry; hostile archives (traversal, absolute paths, links, too many entries,
 * zip bombs, lying sizes, damaged data) are refused with a clear code before anything is written.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { signEd25519 } from '../core/crypto/ed25519';
import { sha256Hex } from '../core/crypto/digest';
import { HELLO } from '../core/sandbox/test-modules';
import { openHarness, type Harness } from './test-fixtures';
import type { ModuleFolder } from './bundle-files';
import { importUpload, moduleUploadFrom, UPLOAD_LIMITS, type UploadedFile } from './upload';

const enc = (s: string) => new TextEncoder().encode(s);

/** A minimal ustar entry, written by hand so tests can build archives no honest tool would. */
function tarEntry(name: string, data: Uint8Array, type = '0'): Uint8Array {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write(type, 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  header.fill(' ', 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padded = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  Buffer.from(data).copy(padded);
  return Buffer.concat([header, padded]);
}
const tar = (...entries: Uint8Array[]) => new Uint8Array(Buffer.concat([...entries, Buffer.alloc(1024)]));

/** Marks every entry of a zip as a Unix symlink in its central directory. */
function markZipSymlinks(zip: Uint8Array): Uint8Array {
  const b = Buffer.from(zip);
  for (let o = b.indexOf(Buffer.from([0x50, 0x4b, 1, 2])); o >= 0; o = b.indexOf(Buffer.from([0x50, 0x4b, 1, 2]), o + 4)) {
    b.writeUInt16LE((3 << 8) | 20, o + 4);
    b.writeUInt32LE((0o120777 << 16) >>> 0, o + 38);
  }
  return new Uint8Array(b);
}

const codeOf = (files: UploadedFile[], folder?: string) => {
  const r = moduleUploadFrom(files, folder);
  return r.ok ? 'OK' : r.code;
};

describe('module upload', () => {
  let h: Harness;
  let bundleFiles: UploadedFile[];
  beforeAll(() => {
    h = openHarness();
    const dir = h.bundle(HELLO, { name: 'uploaded', version: '1.0.0', capabilities: ['stdout'] });
    bundleFiles = readdirSync(dir).map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('imports a bundle sent as loose files straight from memory, without a directory in between', () => {
    // A registry that can only take contents: an upload that still went through a folder on disk
    // (importFolder) would fail here.
    const given: ModuleFolder[] = [];
    const registry = {
      importContents: (folder: ModuleFolder, actor: string) => {
        given.push(folder);
        return h.services.modules.importContents(folder, actor);
      },
    };
    const r = importUpload(registry, bundleFiles, 'user:op');
    expect(r.ok && r.value).toMatchObject({ name: 'uploaded', version: '1.0.0', source: 'bundle', importedBy: 'user:op' });
    expect(given).toHaveLength(1);
    expect(given[0]).toMatchObject({ kind: 'bundle', dir: 'upload:upload' });
  });

  it('records a rejected upload under its upload name, not a temporary path', () => {
    const tampered = bundleFiles.map((f) => (f.name === 'nightcore.json' ? { ...f, bytes: new TextEncoder().encode(new TextDecoder().decode(f.bytes).replace('"uploaded"', '"renamed"')) } : f));
    const r = importUpload(h.services.modules, tampered, 'user:op', { folderName: 'evil-one' });
    // The renamed manifest is no longer what the publisher signed.
    expect(r).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    const newest = h.services.audit.page({ action: 'module.rejected', limit: 1 });
    expect(newest.ok && newest.value.events[0]?.subject).toBe('folder:upload:evil-one');
  });

  it('imports a bundle inside one top-level folder of a zip, and of a tar', () => {
    const dir = h.bundle(HELLO, { name: 'zipped', version: '2.0.0', capabilities: ['stdout'] });
    const files = Object.fromEntries(readdirSync(dir).map((n) => [`zipped/${n}`, new Uint8Array(readFileSync(join(dir, n)))]));
    const zipped = importUpload(h.services.modules, [{ name: 'zipped.zip', bytes: zipSync(files) }], 'user:op');
    expect(zipped.ok && zipped.value.version).toBe('2.0.0');

    const dir3 = h.bundle(HELLO, { name: 'tarred', version: '3.0.0', capabilities: ['stdout'] });
    const entries = readdirSync(dir3).map((n) => tarEntry(`tarred/${n}`, new Uint8Array(readFileSync(join(dir3, n)))));
    const tarred = importUpload(h.services.modules, [{ name: 'tarred.tar', bytes: tar(tarEntry('tarred/', new Uint8Array(), '5'), ...entries) }], 'user:op');
    expect(tarred.ok && tarred.value.name).toBe('tarred');
  });

  it('imports a legacy tenant folder, named by its archive folder, only with a trusted key', () => {
    const sig = Buffer.from(signEd25519(h.publisher.seed, HELLO)).toString('base64');
    const legacy = {
      'tenant-b/module.wasm': HELLO,
      'tenant-b/module.sig': enc(sig),
      'tenant-b/pubkey.b64': enc(Buffer.from(h.publisher.publicKey).toString('base64')),
      'tenant-b/module.sha256': enc(`${sha256Hex(HELLO)}  module.wasm\n`),
    };
    // Legacy imports are an admin decision: refused unless the caller took it.
    const notAdmin = importUpload(h.services.modules, [{ name: 'legacy.zip', bytes: zipSync(legacy) }], 'user:op');
    expect(!notAdmin.ok && notAdmin.code).toBe('LEGACY_NOT_ALLOWED');
    const r = importUpload(h.services.modules, [{ name: 'legacy.zip', bytes: zipSync(legacy) }], 'user:admin', { allowLegacy: true });
    expect(r.ok && r.value).toMatchObject({ name: 'tenant-b', source: 'legacy' });

    const forged = { ...legacy, 'tenant-b/module.sig': enc(Buffer.alloc(64).toString('base64')) };
    const refused = importUpload(h.services.modules, [{ name: 'legacy.zip', bytes: zipSync(forged) }], 'user:admin', { allowLegacy: true });
    // Refused by verification (the forged signature), not by the upload checks.
    expect(refused).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('reports the verifier\'s code when the signature does not match the files', () => {
    const tampered = bundleFiles.map((f) => (f.name === 'module.wasm' ? { ...f, bytes: new Uint8Array([...f.bytes, 0, 1, 0x41]) } : f));
    const r = importUpload(h.services.modules, tampered, 'user:op');
    // The signature still covers the manifest; the manifest's pinned digest no longer matches the wasm.
    expect(r).toMatchObject({ ok: false, code: 'DIGEST_MISMATCH' });
  });

  it('refuses empty, unexpected, duplicate, mixed and path-carrying uploads', () => {
    expect(codeOf([])).toBe('NO_FILES');
    expect(codeOf([{ name: 'evil.sh', bytes: enc('#!/bin/sh') }, ...bundleFiles])).toBe('UNEXPECTED_FILE');
    expect(codeOf([...bundleFiles, bundleFiles[0]!])).toBe('DUPLICATE_FILE');
    expect(codeOf([...bundleFiles, { name: 'x.zip', bytes: zipSync({}) }])).toBe('MIXED_UPLOAD');
    expect(codeOf([{ name: '../module.wasm', bytes: HELLO }])).toBe('UNSAFE_PATH');
    expect(codeOf([{ name: 'nightcore.json', bytes: enc('{}') }])).toBe('NO_FILES'); // no module.wasm
    expect(codeOf(bundleFiles, '../etc')).toBe('BAD_FOLDER_NAME');
    const many = Array.from({ length: UPLOAD_LIMITS.files + 1 }, (_, i) => ({ name: `f${i}`, bytes: new Uint8Array() }));
    expect(codeOf(many)).toBe('TOO_MANY_ENTRIES');
  });

  it('refuses a text file over its size cap', () => {
    const big = { name: 'nightcore.json', bytes: new Uint8Array(UPLOAD_LIMITS.textBytes + 1) };
    expect(codeOf([{ name: 'module.wasm', bytes: HELLO }, big])).toBe('TOO_LARGE');
  });

  it('refuses zip entries that climb out, are absolute, or are links', () => {
    expect(codeOf([{ name: 'a.zip', bytes: zipSync({ '../module.wasm': HELLO }) }])).toBe('UNSAFE_PATH');
    expect(codeOf([{ name: 'a.zip', bytes: zipSync({ 'x/../../module.wasm': HELLO }) }])).toBe('UNSAFE_PATH');
    expect(codeOf([{ name: 'a.zip', bytes: zipSync({ '/etc/module.wasm': HELLO }) }])).toBe('UNSAFE_PATH');
    expect(codeOf([{ name: 'a.zip', bytes: zipSync({ 'C:/module.wasm': HELLO }) }])).toBe('UNSAFE_PATH');
    expect(codeOf([{ name: 'a.zip', bytes: zipSync({ 'x\\module.wasm': HELLO }) }])).toBe('UNSAFE_PATH');
    expect(codeOf([{ name: 'a.zip', bytes: markZipSymlinks(zipSync({ 'module.wasm': enc('/etc/passwd') })) }])).toBe('UNSAFE_PATH');
  });

  it('refuses tar entries that climb out, are absolute, are links or devices, or hide a bad path in a PAX header', () => {
    expect(codeOf([{ name: 'a.tar', bytes: tar(tarEntry('../module.wasm', HELLO)) }])).toBe('UNSAFE_PATH');
    expect(codeOf([{ name: 'a.tar', bytes: tar(tarEntry('/module.wasm', HELLO)) }])).toBe('UNSAFE_PATH');
    expect(codeOf([{ name: 'a.tar', bytes: tar(tarEntry('module.wasm', enc('/etc/passwd'), '2')) }])).toBe('UNSAFE_PATH');
    expect(codeOf([{ name: 'a.tar', bytes: tar(tarEntry('module.wasm', new Uint8Array(), '1')) }])).toBe('UNSAFE_PATH');
    expect(codeOf([{ name: 'a.tar', bytes: tar(tarEntry('dev', new Uint8Array(), '3')) }])).toBe('UNSAFE_PATH');
    const pax = enc('27 path=../../module.wasm\n');
    expect(codeOf([{ name: 'a.tar', bytes: tar(tarEntry('PaxHeader', pax, 'x'), tarEntry('module.wasm', HELLO)) }])).toBe('UNSAFE_PATH');
  });

  it('refuses archives with too many entries, several top-level folders, or nested folders', () => {
    const many = Object.fromEntries(Array.from({ length: UPLOAD_LIMITS.archiveEntries + 1 }, (_, i) => [`f${i}`, enc('x')]));
    expect(codeOf([{ name: 'a.zip', bytes: zipSync(many) }])).toBe('TOO_MANY_ENTRIES');
    const tars = Array.from({ length: UPLOAD_LIMITS.archiveEntries + 1 }, (_, i) => tarEntry(`f${i}`, enc('x')));
    expect(codeOf([{ name: 'a.tar', bytes: tar(...tars) }])).toBe('TOO_MANY_ENTRIES');
    expect(codeOf([{ name: 'a.zip', bytes: zipSync({ 'a/module.wasm': HELLO, 'b/nightcore.json': enc('{}') }) }])).toBe('UNEXPECTED_FILE');
    expect(codeOf([{ name: 'a.zip', bytes: zipSync({ 'a/b/module.wasm': HELLO }) }])).toBe('UNEXPECTED_FILE');
  });

  it('refuses a zip bomb by its declared size, before inflating it', () => {
    // ~50 KB compressed, 49 MiB of zeros uncompressed: over the total cap.
    const bomb = zipSync({ 'module.wasm': new Uint8Array(UPLOAD_LIMITS.archiveTotalBytes + 1) }, { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const r = moduleUploadFrom([{ name: 'bomb.zip', bytes: bomb }]);
    expect(!r.ok && r.code).toBe('TOO_LARGE');
  });

  it('refuses an entry that inflates past its declared size (the header lies)', () => {
    const honest = zipSync({ 'module.wasm': new Uint8Array(5_000_000) });
    const b = Buffer.from(honest);
    const cd = b.indexOf(Buffer.from([0x50, 0x4b, 1, 2]));
    b.writeUInt32LE(16, cd + 24); // claims 16 bytes uncompressed
    const r = moduleUploadFrom([{ name: 'liar.zip', bytes: new Uint8Array(b) }]);
    expect(!r.ok && r.code).toBe('BAD_ARCHIVE');
    expect(!r.ok && r.message).toMatch(/more than the 16 bytes declared/);
  });

  it('refuses damaged and non-archive data with BAD_ARCHIVE', () => {
    expect(codeOf([{ name: 'a.zip', bytes: enc('PK\u0003\u0004 not really a zip') }])).toBe('BAD_ARCHIVE');
    expect(codeOf([{ name: 'a.zip', bytes: enc('hello') }])).toBe('BAD_ARCHIVE');
    const good = zipSync({ 'module.wasm': HELLO });
    expect(codeOf([{ name: 'a.zip', bytes: good.subarray(0, good.length - 10) }])).toBe('BAD_ARCHIVE');
    const truncatedTar = tar(tarEntry('module.wasm', new Uint8Array(2000))).subarray(0, 1024);
    expect(codeOf([{ name: 'a.tar', bytes: truncatedTar }])).toBe('BAD_ARCHIVE');
  });
});
