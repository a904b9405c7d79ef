/**
 * Reading ONE uploaded archive (.zip or .tar) into named entries, refusing anything hostile before
 * it costs memory: too many entries, absolute or `..` paths, links and devices, encrypted entries,
 * and more uncompressed bytes than the cap (a zip bomb). Nothing here touches the filesystem.
 */
import { parseTar } from 'nanotar';
import { err, ok, type Result } from '../core/result';
import { readZipFiles } from './zip-reader';

export type ArchiveCode = 'BAD_ARCHIVE' | 'UNSAFE_PATH' | 'TOO_MANY_ENTRIES' | 'TOO_LARGE';

export interface ArchiveEntry {
  /** The path inside the archive, '/'-separated, checked: relative, no '.' or '..' segments. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface ArchiveLimits {
  readonly maxEntries: number;
  readonly maxTotalBytes: number;
}

export type ArchiveKind = 'zip' | 'tar';

/** By content, not by the name the browser sent: a .zip starts with PK\x03\x04 (or PK\x05\x06 when empty). */
export function archiveKind(name: string, bytes: Uint8Array): ArchiveKind | undefined {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5)) return 'zip';
  // ustar magic at offset 257 ("ustar\0" POSIX or "ustar " GNU)
  if (bytes.length >= 512 && Buffer.from(bytes.subarray(257, 262)).toString('latin1') === 'ustar') return 'tar';
  if (/\.tar$/i.test(name) && bytes.length >= 512) return 'tar';
  return undefined;
}

/** Refuses paths that could mean something outside the upload, instead of silently "fixing" them. */
export function checkEntryPath(raw: string): Result<string, 'UNSAFE_PATH'> {
  if (raw.includes('\0')) return err('UNSAFE_PATH', `archive entry name contains a NUL byte`);
  if (raw.includes('\\')) return err('UNSAFE_PATH', `archive entry "${raw}" uses a backslash; only "/" separated relative paths are accepted`);
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) return err('UNSAFE_PATH', `archive entry "${raw}" is an absolute path`);
  const path = raw.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  const segments = path.split('/');
  if (segments.some((s) => s === '..')) return err('UNSAFE_PATH', `archive entry "${raw}" climbs out of the archive ("..")`);
  if (segments.some((s) => s === '' || s === '.')) return err('UNSAFE_PATH', `archive entry "${raw}" has an empty or "." path segment`);
  return ok(path);
}

/** One reader for the directory and the data (zip-reader.ts); paths are checked here like tar's. */
function readZip(bytes: Uint8Array, limits: ArchiveLimits): Result<ArchiveEntry[], ArchiveCode> {
  const files = readZipFiles(bytes, limits, checkEntryPath);
  if (!files.ok) return files;
  const seen = new Set<string>();
  const entries: ArchiveEntry[] = [];
  for (const f of files.value) {
    const path = checkEntryPath(f.name);
    if (!path.ok) return path;
    if (seen.has(path.value)) return err('BAD_ARCHIVE', `archive entry "${f.name}" appears twice`);
    seen.add(path.value);
    if (!f.directory) entries.push({ path: path.value, bytes: f.bytes });
  }
  return ok(entries);
}

const TAR_TYPES_ACCEPTED = new Set(['0', '\0', '5']); // regular file (old and new flag), directory
const TAR_METADATA = new Set(['x', 'g']); // PAX headers: nanotar applies them, we check the result below

/**
 * A tar walk over the raw headers, because nanotar quietly rewrites hostile names ("../x" → "x")
 * and we want to refuse them. PAX `path=` records are checked too.
 */
function checkTarHeaders(bytes: Uint8Array, limits: ArchiveLimits): Result<true, ArchiveCode> {
  const text = (o: number, n: number) => Buffer.from(bytes.subarray(o, o + n)).toString('utf8').replace(/\0.*$/s, '');
  let offset = 0;
  let entries = 0;
  while (offset + 512 <= bytes.length) {
    const name = text(offset, 100);
    if (name === '') break; // end-of-archive block
    const size = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    if (!Number.isSafeInteger(size) || size < 0 || offset + 512 + size > bytes.length) return err('BAD_ARCHIVE', 'the .tar is truncated or damaged');
    const type = String.fromCharCode(bytes[offset + 156]!);
    const prefix = text(offset + 345, 155);
    const full = prefix ? `${prefix}/${name}` : name;
    if (TAR_METADATA.has(type)) {
      for (const m of text(offset + 512, size).matchAll(/(?:^|\n)\d+ (?:path|linkpath)=([^\n]*)/g)) {
        const checked = checkEntryPath(m[1]!);
        if (!checked.ok) return checked;
      }
    } else {
      if (++entries > limits.maxEntries) return err('TOO_MANY_ENTRIES', `the archive has more than ${limits.maxEntries} entries`);
      if (!TAR_TYPES_ACCEPTED.has(type)) {
        return err('UNSAFE_PATH', `archive entry "${full}" is not a regular file or folder (tar type "${type}"); links and devices are not accepted`);
      }
      const checked = checkEntryPath(full);
      if (!checked.ok) return checked;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return ok(true);
}

function readTar(bytes: Uint8Array, limits: ArchiveLimits): Result<ArchiveEntry[], ArchiveCode> {
  const checked = checkTarHeaders(bytes, limits);
  if (!checked.ok) return checked;
  // A tar is not compressed: its content is bounded by the upload size already.
  // nanotar reads `data.buffer` whole, so hand it a copy that starts at offset 0.
  const items = parseTar(bytes.slice());
  return ok(items.filter((i) => i.type === 'file' && i.data).map((i) => ({ path: i.name.replace(/^(\.\/)+/, ''), bytes: i.data! })));
}

export function readArchive(kind: ArchiveKind, bytes: Uint8Array, limits: ArchiveLimits): Result<ArchiveEntry[], ArchiveCode> {
  return kind === 'zip' ? readZip(bytes, limits) : readTar(bytes, limits);
}
