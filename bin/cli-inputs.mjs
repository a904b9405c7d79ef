// @ts-check
/**
 * What the CLI bundle was built from, and whether that still holds. Shared by the builder and the
 * launcher; imports only node builtins so the launcher stays cheap.
 *
 * Every input file is recorded as (path relative to the package root, mtime, size, SHA-256 of the
 * exact bytes esbuild compiled). The start-up check stats each input and compares mtime and size;
 * only a file whose mtime moved is read and hashed, so a `touch` or a checkout of identical content
 * does not force a rebuild, and an edit that keeps the size is still caught by its hash.
 *
 * Each folder holding the package's own inputs is recorded too (mtime and a hash of its sorted file
 * names): a file added beside an import can change what the import resolves to without any input
 * changing, so a folder whose listing changed means a rebuild.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bumped whenever the bundle's format or the launcher's expectations change: older builds are stale. */
export const BUNDLE_FORMAT = 2;

/**
 * A file modified within this window of being recorded may have changed again inside the same
 * filesystem timestamp tick without its mtime moving (git's "racily clean" problem): such entries
 * are always checked by content.
 */
export const RACY_WINDOW_MS = 2000;

/** Where the bundle, its manifest and its V8 code cache live, unless NIGHTCORE_CLI_CACHE_DIR says otherwise. */
export function defaultCacheDir(root) {
  return join(root, 'node_modules', '.cache', 'nightcore-cli');
}

/** @param {Uint8Array | string} bytes */
export function sha256Hex(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * @typedef {[path: string, mtimeMs: number, size: number, sha256: string, racy: boolean]} InputEntry
 * @typedef {[path: string, mtimeMs: number, namesSha256: string, racy: boolean]} FolderEntry
 * @typedef {{ format: number, bundle: string, builtAt: string, inputs: InputEntry[], folders: FolderEntry[] }} Manifest
 */

/** @param {string} dir */
function listingSha256(dir) {
  return sha256Hex(readdirSync(dir).sort().join('\n'));
}

/**
 * One folder entry, stat'ed before it is listed. A folder that changed after `changedAfterMs` (while
 * the bundle was being built) gets a hash no listing has, so the next start rebuilds.
 */
export function folderEntry(root, relDir, changedAfterMs = Infinity, now = Date.now()) {
  const stat = statSync(join(root, relDir));
  const sha = stat.mtimeMs >= changedAfterMs ? 'changed-during-build' : listingSha256(join(root, relDir));
  /** @type {FolderEntry} */
  const entry = [relDir, stat.mtimeMs, sha, now - stat.mtimeMs < RACY_WINDOW_MS];
  return entry;
}

/** One input entry for bytes just read, with the mtime observed before reading them. */
export function inputEntry(relPath, stat, bytes, now = Date.now()) {
  /** @type {InputEntry} */
  const entry = [relPath, stat.mtimeMs, stat.size, sha256Hex(bytes), now - stat.mtimeMs < RACY_WINDOW_MS];
  return entry;
}

/**
 * Checks every input against the files on disk. Returns 'stale' if any file is missing or its
 * content differs; otherwise 'fresh', plus a refreshed manifest when some mtimes moved without the
 * content changing (so the next start does not hash those files again).
 * @param {string} root
 * @param {Manifest} manifest
 * @returns {{ state: 'stale', why: string } | { state: 'fresh', refreshed?: Manifest }}
 */
export function checkInputs(root, manifest, now = Date.now()) {
  if (manifest.format !== BUNDLE_FORMAT || !Array.isArray(manifest.inputs) || manifest.inputs.length === 0 || !Array.isArray(manifest.folders)) {
    return { state: 'stale', why: 'manifest format' };
  }
  /** @type {InputEntry[] | undefined} */
  let refreshedInputs;
  for (let i = 0; i < manifest.inputs.length; i++) {
    const entry = manifest.inputs[i];
    const [rel, mtimeMs, size, sha, racy] = entry;
    const stat = statSync(join(root, rel), { throwIfNoEntry: false });
    if (!stat) return { state: 'stale', why: `${rel} is gone` };
    if (stat.size !== size) return { state: 'stale', why: `${rel} changed` };
    if (!racy && stat.mtimeMs === mtimeMs) continue;
    let bytes;
    try {
      bytes = readFileSync(join(root, rel));
    } catch {
      return { state: 'stale', why: `${rel} unreadable` };
    }
    if (sha256Hex(bytes) !== sha) return { state: 'stale', why: `${rel} changed` };
    const fresh = inputEntry(rel, stat, bytes, now);
    if (fresh[1] !== mtimeMs || fresh[4] !== racy) (refreshedInputs ??= manifest.inputs.slice())[i] = fresh;
  }
  /** @type {FolderEntry[] | undefined} */
  let refreshedFolders;
  for (let i = 0; i < manifest.folders.length; i++) {
    const [rel, mtimeMs, sha, racy] = manifest.folders[i];
    const stat = statSync(join(root, rel), { throwIfNoEntry: false });
    if (!stat) return { state: 'stale', why: `${rel} is gone` };
    if (!racy && stat.mtimeMs === mtimeMs) continue;
    const fresh = folderEntry(root, rel, Infinity, now);
    if (fresh[2] !== sha) return { state: 'stale', why: `files added or removed in ${rel}` };
    if (fresh[1] !== mtimeMs || fresh[3] !== racy) (refreshedFolders ??= manifest.folders.slice())[i] = fresh;
  }
  if (!refreshedInputs && !refreshedFolders) return { state: 'fresh' };
  return { state: 'fresh', refreshed: { ...manifest, inputs: refreshedInputs ?? manifest.inputs, folders: refreshedFolders ?? manifest.folders } };
}

/** Writes to a unique temporary name in the same folder, then renames over the target (atomic on POSIX). */
export function publish(target, data) {
  const tmp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, data, { mode: 0o644 });
  try {
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing left to clean up
    }
    throw e;
  }
}
