/**
 * Typed wasm values in signed JSON: i64 travels as a decimal string (JSON numbers lose precision
 * past 2^53), f32/f64 as the 64-bit pattern of the JavaScript number ("0x" and 16 hex digits), so
 * -0, infinities and NaN payloads survive canonical JSON bit for bit (a decimal string turns -0
 * into 0: the backend differential test caught a remote call returning +0 where a worker gave -0).
 */
import { err, ok, type Result } from '../../result';
import { sha256Hex } from '../../crypto/digest';
import type { Invocation, Preopen, TreeEntry, WasmValue, WasmValueType } from '../types';

export interface EncodedValue {
  readonly type: WasmValueType;
  readonly value: string;
}

export interface EncodedInvocation {
  readonly args: readonly EncodedValue[];
  readonly results: readonly WasmValueType[];
}

const TYPES: readonly WasmValueType[] = ['i32', 'i64', 'f32', 'f64'];

const bits = new DataView(new ArrayBuffer(8));
const FLOAT_BITS = /^0x[0-9a-f]{16}$/;

function encodeFloat(n: number): string {
  bits.setFloat64(0, n);
  return `0x${bits.getBigUint64(0).toString(16).padStart(16, '0')}`;
}

function decodeFloat(text: string): number | undefined {
  if (FLOAT_BITS.test(text)) {
    bits.setBigUint64(0, BigInt(text));
    return bits.getFloat64(0);
  }
  // The decimal form of earlier jobs (never produced now): exact except for -0 and NaN payloads.
  const n = Number(text);
  return Number.isNaN(n) && text !== 'NaN' ? undefined : n;
}

export const encodeValues = (values: readonly WasmValue[]): EncodedValue[] =>
  values.map((v) => ({ type: v.type, value: v.type === 'i32' || v.type === 'i64' ? String(v.value) : encodeFloat(v.value) }));

export const encodeInvocation = (invoke: Invocation | undefined): EncodedInvocation | undefined =>
  invoke && { args: encodeValues(invoke.args), results: [...invoke.results] };

export function decodeValues(values: unknown): Result<WasmValue[], 'VALUE_INVALID'> {
  if (!Array.isArray(values)) return err('VALUE_INVALID', 'values must be a list');
  const out: WasmValue[] = [];
  for (const v of values as EncodedValue[]) {
    if (!v || !TYPES.includes(v.type) || typeof v.value !== 'string') return err('VALUE_INVALID', 'a value is malformed');
    if (v.type === 'i64') {
      if (!/^-?\d{1,20}$/.test(v.value)) return err('VALUE_INVALID', 'an i64 value is malformed');
      out.push({ type: 'i64', value: BigInt(v.value) });
    } else {
      const n = v.type === 'i32' ? (/^-?\d{1,10}$/.test(v.value) ? Number(v.value) : undefined) : decodeFloat(v.value);
      if (n === undefined) return err('VALUE_INVALID', `a ${v.type} value is malformed`);
      out.push({ type: v.type, value: n });
    }
  }
  return ok(out);
}

/** Undefined (a plain run) or the invocation; an error for anything malformed. */
export function decodeInvocation(encoded: unknown): Result<Invocation | undefined, 'VALUE_INVALID'> {
  if (encoded === undefined) return ok(undefined);
  const e = encoded as EncodedInvocation;
  if (!e || !Array.isArray(e.results) || !e.results.every((t) => TYPES.includes(t))) return err('VALUE_INVALID', 'the invocation is malformed');
  const args = decodeValues(e.args);
  return args.ok ? ok({ args: args.value, results: [...e.results] }) : args;
}

/** A preopened tree in a signed statement: file contents by SHA-256, carried beside the statement. */
export interface EncodedEntry {
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  readonly sha256?: string;
  readonly target?: string;
}

export interface EncodedPreopen {
  readonly guestPath: string;
  readonly entries: readonly EncodedEntry[];
}

/** The statement's view of the trees, and the bytes to carry (base64 by digest, each once). */
export function encodeTrees(trees: readonly Preopen[]): { trees: EncodedPreopen[]; files: Record<string, string> } {
  const files: Record<string, string> = {};
  const encoded = trees.map((t) => ({
    guestPath: t.guestPath,
    entries: t.entries.map((e): EncodedEntry => {
      if (e.kind === 'dir') return { path: e.path, kind: 'dir' };
      if (e.kind === 'symlink') return { path: e.path, kind: 'symlink', target: e.target };
      const digest = sha256Hex(e.data);
      files[digest] = Buffer.from(e.data).toString('base64');
      return { path: e.path, kind: 'file', sha256: digest };
    }),
  }));
  return { trees: encoded, files };
}

/** Rebuilds the trees from a verified statement; every file's bytes must match the signed digest. */
export function decodeTrees(encoded: unknown, files: unknown): Result<Preopen[], 'TREE_INVALID'> {
  if (encoded === undefined) return ok([]);
  if (!Array.isArray(encoded) || typeof files !== 'object' || files === null) return err('TREE_INVALID', 'the preopened trees are malformed');
  const blobs = files as Record<string, unknown>;
  const out: Preopen[] = [];
  for (const t of encoded as EncodedPreopen[]) {
    if (!t || typeof t.guestPath !== 'string' || !Array.isArray(t.entries)) return err('TREE_INVALID', 'a preopened tree is malformed');
    const entries: TreeEntry[] = [];
    for (const e of t.entries) {
      if (!e || typeof e.path !== 'string') return err('TREE_INVALID', 'a tree entry is malformed');
      if (e.kind === 'dir') entries.push({ path: e.path, kind: 'dir' });
      else if (e.kind === 'symlink' && typeof e.target === 'string') entries.push({ path: e.path, kind: 'symlink', target: e.target });
      else if (e.kind === 'file' && typeof e.sha256 === 'string' && typeof blobs[e.sha256] === 'string') {
        const data = new Uint8Array(Buffer.from(blobs[e.sha256] as string, 'base64'));
        if (sha256Hex(data) !== e.sha256) return err('TREE_INVALID', `the bytes of ${e.path} do not match their signed digest`);
        entries.push({ path: e.path, kind: 'file', data });
      } else return err('TREE_INVALID', `tree entry ${String(e.path)} is malformed or its bytes are missing`);
    }
    out.push({ guestPath: t.guestPath, entries });
  }
  return ok(out);
}
