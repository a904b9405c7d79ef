/**
 * Reading and writing module folders on disk. Detects the format a folder holds:
 * - bundle v1: module.wasm, nightcore.json, nightcore.sig.json (absent until someone signs)
 * - legacy Night Core Worker tenant: module.wasm, module.sig, pubkey.b64, module.sha256, manifest.json (optional)
 * Sizes are capped before reading so a hostile folder cannot exhaust memory; symlinks are refused
 * so a folder cannot make us read files outside it.
 */
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readSync, renameSync, writeFileSync, constants } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ok, err, type Result } from '../core/result';
import type { TManifest } from '../core/module/manifest';
import { serializeEnvelope, type TEnvelope } from '../core/module/dsse';

export const BUNDLE_FILES = { wasm: 'module.wasm', manifest: 'nightcore.json', envelope: 'nightcore.sig.json' } as const;
export const LEGACY_FILES = {
  wasm: 'module.wasm',
  sig: 'module.sig',
  pubkey: 'pubkey.b64',
  sha256: 'module.sha256',
  manifest: 'manifest.json',
} as const;

export const MAX_WASM_BYTES = 64 * 1024 * 1024;
export const MAX_TEXT_BYTES = 1024 * 1024;

export type FolderCode = 'NOT_A_MODULE_FOLDER' | 'READ_FAILED';

export interface BundleFolder {
  kind: 'bundle';
  dir: string;
  wasm: Uint8Array;
  manifestText: string;
  /** '' when nightcore.sig.json does not exist yet (an unsigned bundle). */
  envelopeText: string;
}
export interface LegacyFolder {
  kind: 'legacy';
  dir: string;
  folderName: string;
  wasm: Uint8Array;
  sigText: string;
  pubkeyText: string;
  sha256Text: string;
  /** '' when the tenant folder has no manifest.json. */
  manifestText: string;
}
export type ModuleFolder = BundleFolder | LegacyFolder;

const EXPECTED =
  `expected a bundle (${BUNDLE_FILES.wasm}, ${BUNDLE_FILES.manifest}, ${BUNDLE_FILES.envelope}) ` +
  `or a Night Core Worker tenant folder (${LEGACY_FILES.wasm}, ${LEGACY_FILES.sig}, ${LEGACY_FILES.pubkey}, ${LEGACY_FILES.sha256}, ${LEGACY_FILES.manifest})`;

type Entry = 'file' | 'missing' | 'other';

function entryKind(path: string): Entry {
  try {
    return lstatSync(path).isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** Reads at most `cap` bytes from a regular file; refuses symlinks and anything larger. */
export function readCapped(path: string, cap: number): Result<Uint8Array, 'READ_FAILED'> {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    const stat = fstatSync(fd);
    if (!stat.isFile()) return err('READ_FAILED', `${path} is not a regular file`);
    if (stat.size > cap) return err('READ_FAILED', `${path} is ${mib(stat.size)}; the limit is ${mib(cap)}`);
    // Read one byte past the cap: the file may have grown since fstat.
    const buffer = Buffer.alloc(Math.min(stat.size, cap) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > cap) return err('READ_FAILED', `${path} is larger than the limit of ${mib(cap)}`);
      if (length === buffer.length) break;
    }
    return ok(new Uint8Array(buffer.buffer, buffer.byteOffset, length));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'it is a symbolic link' : (e as Error).message;
    return err('READ_FAILED', `cannot read ${path}: ${why}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function decodeText(bytes: Uint8Array, where: string): Result<string, 'READ_FAILED'> {
  try {
    return ok(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return err('READ_FAILED', `${where} is not UTF-8 text`);
  }
}

/**
 * Where a module folder's files come from: a directory on disk, or files already in memory (a
 * console upload). One detection (`assembleFolder`) serves both, so an upload is judged exactly
 * like the same folder imported with the CLI.
 */
interface FileSource {
  /** Names the folder in messages and in ModuleFolder.dir. */
  readonly label: string;
  /** A legacy folder without a manifest name takes its module name from this. */
  readonly folderName: string;
  entry(name: string): Entry;
  /** The bytes of a file known to exist, at most `cap` of them. */
  read(name: string, cap: number): Result<Uint8Array, 'READ_FAILED'>;
  /** How a message names one file of the folder. */
  where(name: string): string;
}

function diskSource(dir: string): FileSource {
  return {
    label: dir,
    folderName: basename(resolve(dir)),
    entry: (name) => entryKind(join(dir, name)),
    read: (name, cap) => readCapped(join(dir, name), cap),
    where: (name) => join(dir, name),
  };
}

function memorySource(files: ReadonlyMap<string, Uint8Array>, folderName: string): FileSource {
  const label = `upload:${folderName}`;
  return {
    label,
    folderName,
    entry: (name) => (files.has(name) ? 'file' : 'missing'),
    read: (name, cap) => {
      const bytes = files.get(name);
      if (!bytes) return err('READ_FAILED', `${name} is missing`);
      return bytes.length > cap ? err('READ_FAILED', `${name} is ${mib(bytes.length)}; the limit is ${mib(cap)}`) : ok(bytes);
    },
    where: (name) => `${label}/${name}`,
  };
}

function readText(src: FileSource, name: string): Result<string, 'READ_FAILED'> {
  const bytes = src.read(name, MAX_TEXT_BYTES);
  return bytes.ok ? decodeText(bytes.value, src.where(name)) : bytes;
}

function requireFiles(src: FileSource, names: readonly string[], format: string): Result<true, FolderCode> {
  const problems = names.flatMap((n) => {
    const kind = src.entry(n);
    return kind === 'file' ? [] : [kind === 'missing' ? `${n} is missing` : `${n} is not a regular file`];
  });
  if (problems.length === 0) return ok(true);
  return err('NOT_A_MODULE_FOLDER', `${src.label} looks like a ${format} but ${problems.join(', ')}; ${EXPECTED}`, problems);
}

function assembleFolder(src: FileSource): Result<ModuleFolder, FolderCode> {
  const has = (name: string) => src.entry(name) !== 'missing';
  const dir = src.label;

  if (has(BUNDLE_FILES.manifest)) {
    const files = requireFiles(src, [BUNDLE_FILES.wasm, BUNDLE_FILES.manifest], 'bundle');
    if (!files.ok) return files;
    const wasm = src.read(BUNDLE_FILES.wasm, MAX_WASM_BYTES);
    if (!wasm.ok) return wasm;
    const manifestText = readText(src, BUNDLE_FILES.manifest);
    if (!manifestText.ok) return manifestText;
    const envelopeText = has(BUNDLE_FILES.envelope) ? readText(src, BUNDLE_FILES.envelope) : ok('');
    if (!envelopeText.ok) return envelopeText;
    return ok({ kind: 'bundle', dir, wasm: wasm.value, manifestText: manifestText.value, envelopeText: envelopeText.value });
  }

  if (has(LEGACY_FILES.sig) || has(LEGACY_FILES.pubkey) || has(LEGACY_FILES.sha256)) {
    const files = requireFiles(src, [LEGACY_FILES.wasm, LEGACY_FILES.sig, LEGACY_FILES.pubkey, LEGACY_FILES.sha256], 'legacy tenant folder');
    if (!files.ok) return files;
    const wasm = src.read(LEGACY_FILES.wasm, MAX_WASM_BYTES);
    if (!wasm.ok) return wasm;
    const texts: Record<'sig' | 'pubkey' | 'sha256' | 'manifest', string> = { sig: '', pubkey: '', sha256: '', manifest: '' };
    for (const key of ['sig', 'pubkey', 'sha256', 'manifest'] as const) {
      if (key === 'manifest' && !has(LEGACY_FILES.manifest)) continue;
      const text = readText(src, LEGACY_FILES[key]);
      if (!text.ok) return text;
      texts[key] = text.value;
    }
    return ok({
      kind: 'legacy',
      dir,
      folderName: src.folderName,
      wasm: wasm.value,
      sigText: texts.sig,
      pubkeyText: texts.pubkey,
      sha256Text: texts.sha256,
      manifestText: texts.manifest,
    });
  }

  return err('NOT_A_MODULE_FOLDER', `${dir} holds neither a bundle nor a legacy tenant folder; ${EXPECTED}`);
}

export function readModuleFolder(dir: string): Result<ModuleFolder, FolderCode> {
  let isDir = false;
  try {
    isDir = lstatSync(dir).isDirectory();
  } catch {
    return err('NOT_A_MODULE_FOLDER', `${dir} does not exist; ${EXPECTED}`);
  }
  if (!isDir) return err('NOT_A_MODULE_FOLDER', `${dir} is not a directory; ${EXPECTED}`);
  return assembleFolder(diskSource(dir));
}

/**
 * A module folder from files already in memory (file name → bytes), judged by the same rules
 * and size caps as a folder on disk; nothing is written anywhere.
 */
export function moduleFolderFromFiles(files: ReadonlyMap<string, Uint8Array>, folderName: string): Result<ModuleFolder, FolderCode> {
  return assembleFolder(memorySource(files, folderName));
}

/** Writes to a temporary name, then renames, so a reader never sees a half-written file. */
function writeAtomic(path: string, data: Uint8Array | string): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, data, { mode: 0o644 });
  renameSync(temp, path);
}

/**
 * Writes a bundle folder (creating it). The envelope is written only when given. Throws on I/O
 * errors: this is a service-level write whose callers (the CLI) report exceptions as failures.
 */
export function writeBundle(dir: string, wasm: Uint8Array, manifest: TManifest, envelope: TEnvelope | null): void {
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, BUNDLE_FILES.wasm), wasm);
  writeAtomic(join(dir, BUNDLE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  if (envelope !== null) writeAtomic(join(dir, BUNDLE_FILES.envelope), serializeEnvelope(envelope));
}
