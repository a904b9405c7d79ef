// @ts-check
/**
 * AssemblyScript's standard `env.abort(message, fileName, line, column)` import, the one import from
 * outside wasi_snapshot_preview1 that Night Core links (see ABORT_IMPORT in wasi-imports.ts). The
 * call never returns: it throws AbortTrap, which the runner reports as trap `abort` with the decoded
 * message. Plain ES module (loaded by the worker without a TypeScript loader).
 *
 * AssemblyScript strings are UTF-16LE; the object header keeps the byte length in the u32 just
 * before the data (`rtSize` at ptr - 4). Everything read from memory is bounds-checked and capped,
 * because the module controls every pointer and length.
 */

export const ABORT_MODULE = 'env';
export const ABORT_NAME = 'abort';
/** Longest message (in UTF-16 code units) and file name kept; longer ones are cut with "…". */
export const MAX_ABORT_STRING_UNITS = 512;

/** Thrown by env.abort to unwind the wasm stack; the runner turns it into a trap outcome. */
export class AbortTrap {
  /** @param {string} message */
  constructor(message) {
    this.message = message;
  }
}

/**
 * Decodes an AssemblyScript string at `ptr`, or returns null when the pointer or its length header
 * does not lie inside memory (the message is then reported as unreadable, never read out of bounds).
 * @param {Uint8Array | null} bytes  the instance's memory, or null when it has none
 * @param {unknown} ptr
 * @returns {string | null}
 */
export function readAssemblyScriptString(bytes, ptr) {
  if (bytes === null || typeof ptr !== 'number' || !Number.isInteger(ptr)) return null;
  const at = ptr >>> 0;
  if (at < 4 || at > bytes.length) return null;
  const header = at - 4;
  const byteLength = (bytes[header] | (bytes[header + 1] << 8) | (bytes[header + 2] << 16) | (bytes[header + 3] << 24)) >>> 0;
  if (byteLength % 2 !== 0 || byteLength > bytes.length - at) return null;
  const units = Math.min(byteLength / 2, MAX_ABORT_STRING_UNITS);
  let text = '';
  for (let i = 0; i < units; i++) text += String.fromCharCode(bytes[at + 2 * i] | (bytes[at + 2 * i + 1] << 8));
  // A cut may split a surrogate pair; toWellFormed-style cleanup keeps the record valid UTF-8.
  // Control characters become U+FFFD too: the message reaches terminals (ANSI escapes) and logs.
  text = text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[\u0000-\u001F\u007F-\u009F]/g, '\uFFFD');
  return byteLength / 2 > units ? `${text}…` : text;
}

/** @param {unknown} n */
const lineNumber = (n) => (typeof n === 'number' && Number.isInteger(n) ? n >>> 0 : 0);

/**
 * The `env` import object for one run.
 * @param {() => WebAssembly.Memory | null} getMemory
 * @returns {{ abort: (message: unknown, fileName: unknown, line: unknown, column: unknown) => never }}
 */
export function createAbortImport(getMemory) {
  return {
    abort(message, fileName, line, column) {
      const memory = getMemory();
      const bytes = memory ? new Uint8Array(memory.buffer) : null;
      const text = message === 0 ? 'abort called without a message' : readAssemblyScriptString(bytes, message) ?? 'unreadable message';
      const file = fileName === 0 ? null : readAssemblyScriptString(bytes, fileName);
      const where = file === null ? '' : ` at ${file}:${lineNumber(line)}:${lineNumber(column)}`;
      throw new AbortTrap(`${text}${where}`);
    },
  };
}
