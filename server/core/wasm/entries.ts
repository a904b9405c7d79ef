/**
 * Import and export entries, decoded once for everyone: the inspector (sections.ts) reports them
 * and the instrumenter (sandbox/instrument) rewrites around them. One decoder means the two can
 * never disagree about what a module imports, exports or declares as limits.
 */
import type { ByteReader } from './reader';
import type { ExternKind } from './report';
import { hex, readGlobalType, readLimits, readTableType, readTagType, type Limits, type TableType } from './types-decode';

export const EXTERN_KINDS: readonly ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];

/** Kind byte → name; anything else is malformed. */
export function readExternKind(r: ByteReader): ExternKind {
  const at = r.pos;
  const byte = r.u8();
  const kind = EXTERN_KINDS[byte];
  if (kind === undefined) r.fail(`malformed import/export kind 0x${hex(byte)}`, at);
  return kind;
}

/** One import with its descriptor decoded: tables and memories carry their limits. */
export type ImportEntry =
  | { readonly module: string; readonly name: string; readonly kind: 'func'; readonly typeIndex: number }
  | { readonly module: string; readonly name: string; readonly kind: 'table'; readonly table: TableType }
  | { readonly module: string; readonly name: string; readonly kind: 'memory'; readonly limits: Limits }
  | { readonly module: string; readonly name: string; readonly kind: 'global' | 'tag' };

export function readImportEntry(r: ByteReader): ImportEntry {
  const module = r.name();
  const name = r.name();
  const kind = readExternKind(r);
  switch (kind) {
    case 'func':
      return { module, name, kind, typeIndex: r.u32() };
    case 'table':
      return { module, name, kind, table: readTableType(r) };
    case 'memory':
      return { module, name, kind, limits: readLimits(r, 'memory') };
    case 'global':
      readGlobalType(r);
      return { module, name, kind };
    default:
      readTagType(r);
      return { module, name, kind };
  }
}

/** Reads an import section's count (module name, field name and kind: at least 4 bytes each). */
export const readImportCount = (r: ByteReader): number => r.count(4);

export interface ExportEntry {
  readonly name: string;
  /** The name exactly as encoded (length prefix included): re-encoding a decoded string could differ. */
  readonly rawName: Uint8Array;
  readonly kind: ExternKind;
  readonly index: number;
}

export function readExportEntry(r: ByteReader): ExportEntry {
  const at = r.pos;
  const name = r.name(); // decoded with ignoreBOM: a leading U+FEFF stays part of the name
  const rawName = r.bytes.subarray(at, r.pos);
  const kind = readExternKind(r);
  return { name, rawName, kind, index: r.u32() };
}

/** Reads an export section's count (name, kind and index: at least 3 bytes each). */
export const readExportCount = (r: ByteReader): number => r.count(3);
