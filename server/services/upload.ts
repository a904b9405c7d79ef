/**
 * A module upload from the console: loose files (a bundle's or a legacy tenant folder's) or ONE
 * archive holding such a folder. The files are checked, then handed to the registry straight from
 * memory (ModuleRegistry.importContents): the same folder detection and verification as the CLI's
 * import of a directory, nothing re-implemented, and nothing written to disk on the way.
 */
import { err, ok, type Result } from '../core/result';
import { BUNDLE_FILES, LEGACY_FILES, MAX_TEXT_BYTES, MAX_WASM_BYTES, moduleFolderFromFiles } from './bundle-files';
import type { ImportCode, ModuleRegistry, ModuleVersionRow } from './module-registry';
import { archiveKind, readArchive, type ArchiveCode } from './upload-archive';

const MIB = 1024 * 1024;

export const UPLOAD_LIMITS = {
  /** The whole multipart request (checked by the route handler before parsing). */
  requestBytes: 32 * MIB,
  /** Loose files per request, and entries (files and folders) per archive. */
  files: 16,
  archiveEntries: 16,
  /** What an archive may unpack to, in all: a zip bomb stops here. */
  archiveTotalBytes: 48 * MIB,
  wasmBytes: Math.min(MAX_WASM_BYTES, 32 * MIB),
  textBytes: MAX_TEXT_BYTES,
} as const;

export type UploadCode = ArchiveCode | 'NO_FILES' | 'UNEXPECTED_FILE' | 'DUPLICATE_FILE' | 'MIXED_UPLOAD' | 'BAD_FOLDER_NAME';

export interface UploadedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The checked contents of one module folder: file name → bytes, plus the folder's name. */
export interface ModuleUpload {
  /** Legacy folders without a manifest name take their module name from the folder name. */
  readonly folderName: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

const ALLOWED = new Set<string>([...Object.values(BUNDLE_FILES), ...Object.values(LEGACY_FILES)]);
const FOLDER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const DEFAULT_FOLDER_NAME = 'upload';

const capFor = (name: string) => (name === BUNDLE_FILES.wasm ? UPLOAD_LIMITS.wasmBytes : UPLOAD_LIMITS.textBytes);
// Finder adds these to every zip it makes; they are never part of a module.
const isOsClutter = (path: string) => path.split('/').includes('__MACOSX') || path.endsWith('.DS_Store');

function checkFolderName(name: string): Result<string, 'BAD_FOLDER_NAME'> {
  return FOLDER_NAME_RE.test(name) ? ok(name) : err('BAD_FOLDER_NAME', `folder name "${name}" must be 1-64 letters, digits, ".", "_" or "-"`);
}

/** Checks names, duplicates and sizes of the files of one folder (names already without folders). */
function collect(entries: readonly UploadedFile[], folderName: string): Result<ModuleUpload, UploadCode> {
  const folder = checkFolderName(folderName);
  if (!folder.ok) return folder;
  const files = new Map<string, Uint8Array>();
  const unexpected = entries.filter((e) => !ALLOWED.has(e.name)).map((e) => e.name);
  if (unexpected.length > 0) {
    return err('UNEXPECTED_FILE', `unexpected file(s): ${unexpected.join(', ')}; expected only ${[...ALLOWED].join(', ')}`, unexpected.map((n) => `${n}: not a module file`));
  }
  for (const e of entries) {
    if (files.has(e.name)) return err('DUPLICATE_FILE', `${e.name} was sent twice`);
    if (e.bytes.length > capFor(e.name)) return err('TOO_LARGE', `${e.name} is ${e.bytes.length} bytes; the limit is ${capFor(e.name)}`);
    files.set(e.name, e.bytes);
  }
  if (!files.has(BUNDLE_FILES.wasm)) return err('NO_FILES', `${BUNDLE_FILES.wasm} is missing`);
  return ok({ folderName: folder.value, files });
}

/** Entries of an archive: either all at its root, or all inside one top-level folder. */
function fromArchive(file: UploadedFile): Result<ModuleUpload, UploadCode> {
  const kind = archiveKind(file.name, file.bytes);
  if (!kind) return err('BAD_ARCHIVE', `${file.name} is neither a .zip nor a .tar archive`);
  const read = readArchive(kind, file.bytes, { maxEntries: UPLOAD_LIMITS.archiveEntries, maxTotalBytes: UPLOAD_LIMITS.archiveTotalBytes });
  if (!read.ok) return read;
  const entries = read.value.filter((e) => !isOsClutter(e.path));
  if (entries.length === 0) return err('NO_FILES', `${file.name} holds no files`);
  const tops = new Set(entries.map((e) => (e.path.includes('/') ? e.path.split('/')[0]! : '')));
  const top = tops.size === 1 ? [...tops][0]! : undefined;
  if (top === undefined) return err('UNEXPECTED_FILE', `${file.name} must hold one module folder: files at its root, or all inside one top-level folder`);
  const inner = entries.map((e) => ({ name: top ? e.path.slice(top.length + 1) : e.path, bytes: e.bytes }));
  const nested = inner.filter((e) => e.name.includes('/')).map((e) => e.name);
  if (nested.length > 0) return err('UNEXPECTED_FILE', `${file.name} has files in nested folders: ${nested.join(', ')}`);
  const stem = file.name.replace(/\.(zip|tar)$/i, '');
  return collect(inner, top || (FOLDER_NAME_RE.test(stem) ? stem : DEFAULT_FOLDER_NAME));
}

/**
 * The module folder an upload describes. `folderName` (optional) names the folder for loose
 * files; an archive's top-level folder (or the archive's own name) is used otherwise.
 */
export function moduleUploadFrom(files: readonly UploadedFile[], folderName?: string): Result<ModuleUpload, UploadCode> {
  if (files.length === 0) return err('NO_FILES', 'no files were uploaded; send the module files or one .zip/.tar archive');
  if (files.length > UPLOAD_LIMITS.files) return err('TOO_MANY_ENTRIES', `${files.length} files were sent; at most ${UPLOAD_LIMITS.files}`);
  const unsafe = files.find((f) => /[/\\\0]/.test(f.name) || f.name === '..' || f.name === '.');
  if (unsafe) return err('UNSAFE_PATH', `file name "${unsafe.name}" contains a path; send plain file names`);
  // An archive by its name; its format is then told by its content (archiveKind).
  const archives = files.filter((f) => /\.(zip|tar)$/i.test(f.name));
  if (archives.length > 0) {
    if (files.length > 1) return err('MIXED_UPLOAD', 'send either the module files or ONE archive, not both');
    const fromZip = fromArchive(archives[0]!);
    if (!fromZip.ok || folderName === undefined) return fromZip;
    const named = checkFolderName(folderName);
    return named.ok ? ok({ ...fromZip.value, folderName: named.value }) : named;
  }
  return collect(files, folderName ?? DEFAULT_FOLDER_NAME);
}

/** Checks an upload and imports it from memory: no temporary folder, nothing to clean up. */
export function importUpload(
  registry: Pick<ModuleRegistry, 'importContents'>,
  files: readonly UploadedFile[],
  actor: string,
  options: { folderName?: string; allowLegacy?: boolean } = {},
): Result<ModuleVersionRow, UploadCode | ImportCode> {
  const upload = moduleUploadFrom(files, options.folderName);
  if (!upload.ok) return upload;
  const folder = moduleFolderFromFiles(upload.value.files, upload.value.folderName);
  if (!folder.ok) return folder;
  return registry.importContents(folder.value, actor, { allowLegacy: options.allowLegacy === true });
}
