/**
 * The console Run form's files: input files preopened as the guest's `/` (the module reads them with
 * `fs.read`), and the final state of that tree offered as downloads, only when the decision is allow
 * (the governor releases nothing of a denied run). Bounded both ways; paths are checked again by the
 * governor's preopen check.
 */
import { z } from 'zod';
import { sha256Hex } from '../../core/crypto/digest';
import type { Preopen } from '../../core/sandbox/types';

/** Decoded bytes of all input files; the API body cap (24 MiB) bounds the base64 before this. */
export const MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024;
/** What the result may carry back; a larger tree is listed without its bytes (use `nightcore run --save`). */
export const MAX_OUTPUT_FILE_BYTES = 8 * 1024 * 1024;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
/** A relative path of plain segments: no `..`, `.`, empty segments, NUL or backslashes. */
const RELATIVE_PATH_RE = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[^/\\\0][^\\\0]*$/;

export const ZRunFilesSchema = z
  .array(
    z.object({
      path: z.string().min(1).max(255).regex(RELATIVE_PATH_RE, 'must be a relative path without . or .. segments').refine((p) => !p.endsWith('/'), 'must name a file'),
      data: z.string().max(Math.ceil(MAX_INPUT_FILE_BYTES / 3) * 4).regex(BASE64_RE, 'must be base64'),
    }),
  )
  .max(256)
  .refine((files) => new Set(files.map((f) => f.path)).size === files.length, 'must not repeat a path')
  .default([]);
export type TRunFiles = z.infer<typeof ZRunFilesSchema>;

export const ZRunOutputsSchema = z.object({
  files: z.array(z.object({ path: z.string(), bytes: z.number().int(), sha256: z.string(), data: z.string().nullable() })),
  /** True when some bytes were left out because the tree is larger than MAX_OUTPUT_FILE_BYTES. */
  bytesOmitted: z.boolean(),
});
export type TRunOutputs = z.infer<typeof ZRunOutputsSchema>;

/** Undefined when there are no files; an error message when they are too large in all. */
export function filesToDirs(files: TRunFiles): { dirs?: Preopen[]; problem?: string } {
  if (files.length === 0) return {};
  const decoded = files.map((f) => ({ path: f.path, data: new Uint8Array(Buffer.from(f.data, 'base64')) }));
  const total = decoded.reduce((n, f) => n + f.data.length, 0);
  if (total > MAX_INPUT_FILE_BYTES) return { problem: `input files hold more than ${MAX_INPUT_FILE_BYTES} bytes` };
  // Parent folders first, so every file's folder exists in the tree.
  const folders = new Set<string>();
  for (const f of decoded) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  const entries = [
    ...[...folders].sort().map((path) => ({ path, kind: 'dir' as const })),
    ...decoded.map((f) => ({ path: f.path, kind: 'file' as const, data: f.data })),
  ];
  return { dirs: [{ guestPath: '/', entries }] };
}

/** The released tree as downloads: every file listed with its digest, bytes while they fit. */
export function outputsToWire(outputs: readonly Preopen[] | undefined): TRunOutputs | null {
  if (!outputs || outputs.length === 0) return null;
  let budget = MAX_OUTPUT_FILE_BYTES;
  let bytesOmitted = false;
  const files = outputs.flatMap((dir) =>
    dir.entries.flatMap((e) => {
      if (e.kind !== 'file') return [];
      const fits = e.data.length <= budget;
      if (fits) budget -= e.data.length;
      else bytesOmitted = true;
      const path = dir.guestPath === '/' ? e.path : `${dir.guestPath.replace(/^\//, '')}/${e.path}`;
      return [{ path, bytes: e.data.length, sha256: sha256Hex(e.data), data: fits ? Buffer.from(e.data).toString('base64') : null }];
    }),
  );
  return { files, bytesOmitted };
}
