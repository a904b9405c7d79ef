/**
 * Regression (issue 8): a 200 KiB zip whose end record gave one entry count to our checks and
 * another to the extractor raised the server's memory by 520 MiB. Archives here are written by
 * hand so that each can lie in exactly one way.
 */
import { describe, it, expect } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import { crc32, readZipFiles } from './zip-reader';
import { readArchive } from './upload-archive';
import { UPLOAD_LIMITS } from './upload';

const MIB = 1024 * 1024;
const LIMITS = { maxEntries: UPLOAD_LIMITS.archiveEntries, maxTotalBytes: UPLOAD_LIMITS.archiveTotalBytes };

interface Entry {
  name: string;
  /** Bytes as stored in the archive (already deflated when method is 8). */
  stored: Uint8Array;
  method: 0 | 8;
  crc: number;
  size: number;
}
interface Lies {
  onDisk?: number;
  total?: number;
  /** Central directory entries to write (default: all). */
  central?: number;
  localOffsets?: (number | undefined)[];
  trailing?: number;
}

const stored = (name: string, data: Uint8Array): Entry => ({ name, stored: data, method: 0, crc: crc32(data), size: data.length });
const deflated = (name: string, data: Uint8Array): Entry => ({ name, stored: deflateRawSync(data, { level: 9 }), method: 8, crc: crc32(data), size: data.length });

function zip(entries: Entry[], lies: Lies = {}): Uint8Array {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let at = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(e.method, 8);
    h.writeUInt32LE(e.crc, 14);
    h.writeUInt32LE(e.stored.length, 18);
    h.writeUInt32LE(e.size, 22);
    h.writeUInt16LE(name.length, 26);
    offsets.push(at);
    parts.push(h, name, Buffer.from(e.stored));
    at += 30 + name.length + e.stored.length;
  }
  const cdStart = at;
  const written = entries.slice(0, lies.central ?? entries.length);
  written.forEach((e, i) => {
    const name = Buffer.from(e.name);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(e.method, 10);
    c.writeUInt32LE(e.crc, 16);
    c.writeUInt32LE(e.stored.length, 20);
    c.writeUInt32LE(e.size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(lies.localOffsets?.[i] ?? offsets[i]!, 42);
    parts.push(c, name);
    at += 46 + name.length;
  });
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(lies.onDisk ?? written.length, 8);
  end.writeUInt16LE(lies.total ?? written.length, 10);
  end.writeUInt32LE(at - cdStart, 12);
  end.writeUInt32LE(cdStart, 16);
  parts.push(end, Buffer.alloc(lies.trailing ?? 0));
  return new Uint8Array(Buffer.concat(parts));
}

const codeOf = (bytes: Uint8Array) => {
  const r = readZipFiles(bytes, LIMITS);
  return r.ok ? 'OK' : r.code;
};

describe('zip reader', () => {
  it('refuses the lying-directory bomb of the issue without inflating it: peak memory stays flat', () => {
    // 13 entries of 40 MiB of zeros each, ~40 KB compressed each: the end record tells the size
    // check there is 1 entry (a small one) while 13 are on this disk.
    const zeros = new Uint8Array(40 * MIB);
    const bomb = deflated('x', zeros);
    const entries = [stored('module.wasm', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))];
    for (let i = 1; i <= 12; i++) entries.push({ ...bomb, name: `b${i}` });
    const archive = zip(entries, { total: 1 });
    expect(archive.length).toBeLessThan(1 * MIB);

    const before = process.resourceUsage().maxRSS; // KiB, the peak so far
    const r = readArchive('zip', archive, LIMITS);
    const grewKiB = process.resourceUsage().maxRSS - before;
    expect(!r.ok && r.code).toBe('BAD_ARCHIVE');
    expect(!r.ok && r.message).toMatch(/claims 1 entries in all but 13 on this disk/);
    // A small multiple of the upload cap at most (the old reader grew by ~500 MiB here).
    expect(grewKiB * 1024).toBeLessThan(2 * UPLOAD_LIMITS.requestBytes);
  });

  it('refuses an honest-looking bomb by the declared sizes, and a size that lies, before it costs memory', () => {
    const zeros = new Uint8Array(UPLOAD_LIMITS.archiveTotalBytes + 1);
    expect(codeOf(zip([deflated('module.wasm', zeros)]))).toBe('TOO_LARGE');
    // Declares 1 KiB, inflates to 49 MiB: zlib stops one byte past the declared size.
    const liar = { ...deflated('module.wasm', zeros), size: 1024 };
    const before = process.resourceUsage().maxRSS;
    const r = readZipFiles(zip([liar]), LIMITS);
    expect(!r.ok && r.code).toBe('BAD_ARCHIVE');
    expect(!r.ok && r.message).toMatch(/more than the 1024 bytes declared/);
    expect((process.resourceUsage().maxRSS - before) * 1024).toBeLessThan(8 * MIB);
  });

  it('refuses every other inconsistency with BAD_ARCHIVE', () => {
    const a = stored('a.txt', Buffer.from('hello'));
    const b = stored('b.txt', Buffer.from('world'));
    expect(codeOf(zip([a, b]))).toBe('OK');
    expect(codeOf(zip([a, b], { onDisk: 1, total: 1, central: 2 }))).toBe('BAD_ARCHIVE'); // more records than declared
    expect(codeOf(zip([a, b], { central: 1, onDisk: 2, total: 2 }))).toBe('BAD_ARCHIVE'); // fewer records than declared
    expect(codeOf(zip([a, b], { trailing: 7 }))).toBe('BAD_ARCHIVE'); // bytes after the end record
    expect(codeOf(zip([{ ...a, crc: a.crc ^ 1 }]))).toBe('BAD_ARCHIVE'); // CRC mismatch
    expect(codeOf(zip([{ ...a, size: 4 }]))).toBe('BAD_ARCHIVE'); // stored size lies
    expect(codeOf(zip([a, b], { localOffsets: [undefined, 0] }))).toBe('BAD_ARCHIVE'); // b points at a's header
    expect(codeOf(zip([{ ...a, method: 12 as 0 }]))).toBe('BAD_ARCHIVE'); // bzip2 and friends
  });

  it('refuses entries whose data overlap (one local header hidden inside another entry)', () => {
    const inner = zip([stored('b.txt', Buffer.from('world'))]);
    const innerLocal = inner.subarray(0, 30 + 5 + 5); // b's local header, name and data
    const outer = stored('a.txt', innerLocal);
    // a's data starts at 30 + 5; b's central record points there.
    const archive = zip([outer, stored('b.txt', Buffer.from('world'))], { localOffsets: [undefined, 35] });
    const r = readZipFiles(archive, LIMITS);
    expect(!r.ok && r.message).toMatch(/overlap/);
  });

  it('reads an ordinary archive exactly', () => {
    const text = Buffer.from('x'.repeat(10_000));
    const r = readZipFiles(zip([deflated('dir/a.txt', text), stored('dir/b.bin', new Uint8Array([1, 2, 3]))]), LIMITS);
    expect(r.ok && r.value.map((f) => [f.name, f.bytes.length])).toEqual([['dir/a.txt', 10_000], ['dir/b.bin', 3]]);
  });
});
