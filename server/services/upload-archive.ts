/**
 * Reading ONE uploaded archive (.zip or .tar) into named entries, refusing anything hostile before
 * it costs memory: too many entries, absolute or `..` paths, links and devices, encrypted entries,
 * and more uncompressed bytes than the cap (a zip bomb). Nothing here touches the filesystem.
 */
import { unzipSync } from 'fflate';
import { parseTar } from 'nanotar';
import { err, ok, type Result } from '../core/result';

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

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

interface ZipCentralEntry {
  readonly name: string;
  readonly directory: boolean;
  readonly symlink: boolean;
  readonly encrypted: boolean;
  readonly uncompressedSize: number;
}

/**
 * The zip central directory, read ourselves because fflate does not expose the attributes that
 * mark a symlink or encryption. Bounds-checked: a truncated directory is BAD_ARCHIVE, not a crash.
 */
function zipDirectory(bytes: Uint8Array, limits: ArchiveLimits): Result<ZipCentralEntry[], ArchiveCode> {
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (u32(bytes, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return err('BAD_ARCHIVE', 'the .zip has no end-of-central-directory record (truncated or not a zip)');
  const count = u16(bytes, eocd + 10);
  if (count === 0xffff || u32(bytes, eocd + 16) === 0xffffffff) return err('BAD_ARCHIVE', 'ZIP64 archives are not accepted');
  if (count > limits.maxEntries) return err('TOO_MANY_ENTRIES', `the archive has ${count} entries; at most ${limits.maxEntries} are accepted`);
  const entries: ZipCentralEntry[] = [];
  let o = u32(bytes, eocd + 16);
  for (let i = 0; i < count; i++) {
    if (o + 46 > eocd || u32(bytes, o) !== 0x02014b50) return err('BAD_ARCHIVE', 'the .zip central directory is damaged');
    const madeBy = u16(bytes, o + 4);
    const flags = u16(bytes, o + 8);
    const nameLength = u16(bytes, o + 28);
    const next = o + 46 + nameLength + u16(bytes, o + 30) + u16(bytes, o + 32);
    if (next > eocd) return err('BAD_ARCHIVE', 'the .zip central directory is damaged');
    const name = new TextDecoder().decode(bytes.subarray(o + 46, o + 46 + nameLength));
    const unixMode = madeBy >> 8 === 3 ? u32(bytes, o + 38) >>> 16 : 0;
    entries.push({
      name,
      directory: name.endsWith('/'),
      symlink: (unixMode & 0xf000) === 0xa000,
      encrypted: (flags & 1) === 1,
      uncompressedSize: u32(bytes, o + 24),
    });
    o = next;
  }
  return ok(entries);
}

function readZip(bytes: Uint8Array, limits: ArchiveLimits): Result<ArchiveEntry[], ArchiveCode> {
  const directory = zipDirectory(bytes, limits);
  if (!directory.ok) return directory;
  let total = 0;
  const seen = new Set<string>();
  for (const e of directory.value) {
    const path = checkEntryPath(e.name);
    if (!path.ok) return path;
    if (seen.has(path.value)) return err('BAD_ARCHIVE', `archive entry "${e.name}" appears twice`);
    seen.add(path.value);
    if (e.symlink) return err('UNSAFE_PATH', `archive entry "${e.name}" is a symbolic link; links are not accepted`);
    if (e.encrypted) return err('BAD_ARCHIVE', `archive entry "${e.name}" is encrypted`);
    total += e.uncompressedSize;
  }
  // fflate inflates each entry into a buffer of its DECLARED size and never grows it, so capping
  // the declared sizes caps memory even when an entry lies about its size.
  if (total > limits.maxTotalBytes) {
    return err('TOO_LARGE', `the archive would unpack to ${total} bytes; at most ${limits.maxTotalBytes} are accepted`);
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (f) => !f.name.endsWith('/') });
  } catch (e) {
    return err('BAD_ARCHIVE', `the .zip cannot be read: ${(e as Error).message}`);
  }
  const entries: ArchiveEntry[] = [];
  for (const [name, data] of Object.entries(files)) {
    const path = checkEntryPath(name); // checked above; checked again because fflate's names are what we use
    if (!path.ok) return path;
    entries.push({ path: path.value, bytes: data });
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
