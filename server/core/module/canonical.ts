/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): one byte sequence per JSON value, so a signature
 * over a manifest does not depend on key order or whitespace. Wraps the `canonicalize` package,
 * after refusing anything that is not plain JSON: `canonicalize` (like JSON.stringify) would
 * silently drop undefined members, call toJSON() (Dates) or turn holes into null, and then the
 * signed bytes would not say what the caller meant.
 */
import canonicalize from 'canonicalize';
import { ok, err, type Result } from '../result';

export type CanonicalCode = 'NOT_JSON';

/** A UTF-16 surrogate without its partner has no UTF-8 encoding, so it cannot be signed as text. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (s: string) => !LONE_SURROGATE.test(s);

/** Returns the path of the first value that is not plain JSON, or undefined if all of it is. */
function findNonJson(value: unknown, path: string, seen: Set<object>): string | undefined {
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'string') return wellFormed(value) ? undefined : `${path} (a string with a lone surrogate)`;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} (${value})`;
  if (typeof value !== 'object') return `${path} (${typeof value})`;
  if (seen.has(value)) return `${path} (a circular reference)`;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) return `${path}[${i}] (a hole)`;
        const bad = findNonJson(value[i], `${path}[${i}]`, seen);
        if (bad) return bad;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return `${path} (a ${value.constructor?.name ?? 'non-plain'} object)`;
    if (Object.getOwnPropertySymbols(value).length > 0) return `${path} (symbol keys)`;
    for (const [key, member] of Object.entries(value)) {
      if (!wellFormed(key)) return `${path} (a key with a lone surrogate)`;
      const bad = findNonJson(member, `${path}.${key}`, seen);
      if (bad) return bad;
    }
    return undefined;
  } finally {
    seen.delete(value);
  }
}

/** JCS text of a plain JSON value; NOT_JSON names the first offending value. */
export function canonicalJson(value: unknown): Result<string, CanonicalCode> {
  const bad = findNonJson(value, '$', new Set());
  if (bad !== undefined) return err('NOT_JSON', `cannot canonicalize: ${bad} is not a JSON value`);
  const text = canonicalize(value);
  // Unreachable after the walk above; kept so a library change cannot yield "undefined" bytes.
  if (typeof text !== 'string') return err('NOT_JSON', 'cannot canonicalize: the value has no JSON form');
  return ok(text);
}
