// @ts-check
/**
 * Records each WASI call the grant refused: per function, how often, and the first few calls'
 * arguments in a safe summary (bounded, printable, no raw guest bytes). The run result carries the
 * list as `capabilityDenials`; Guardian's post-exec rule and the threat score read it.
 */
import { ERRNO_NAME } from './vfs/constants.mjs';

export const MAX_SAMPLES = 3;
export const MAX_SAMPLE_CHARS = 200;

/** @param {unknown} v */
function summarize(v) {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  return String(v);
}

/**
 * Printable ASCII only: a guest-chosen path must not smuggle control characters or markup into
 * logs and the console (which escapes too; this keeps the record itself clean).
 * @param {readonly unknown[]} args
 */
export function sampleOf(args) {
  const text = args.map(summarize).join(', ').replace(/[^\x20-\x7e]/g, '?');
  return text.length > MAX_SAMPLE_CHARS ? `${text.slice(0, MAX_SAMPLE_CHARS - 1)}…` : text;
}

export function createDenialLog() {
  /** @type {Map<string, { fn: string, capability: string | null, errno: string, count: number, samples: string[] }>} */
  const byFn = new Map();
  return {
    /**
     * @param {string} fn @param {string | null} capability @param {number} errno @param {readonly unknown[]} args
     * @returns {number} errno, so a host function can `return deny(...)`
     */
    record(fn, capability, errno, args) {
      const key = `${fn}\0${capability}\0${errno}`;
      let entry = byFn.get(key);
      if (!entry) {
        entry = { fn, capability, errno: ERRNO_NAME[errno] ?? String(errno), count: 0, samples: [] };
        byFn.set(key, entry);
      }
      entry.count++;
      if (entry.samples.length < MAX_SAMPLES) entry.samples.push(sampleOf(args));
      return errno;
    },
    /** In first-refused order; plain objects (structured-clone safe). */
    list: () => [...byFn.values()].map((d) => ({ ...d, samples: [...d.samples] })),
  };
}
