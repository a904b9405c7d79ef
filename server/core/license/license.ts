/**
 * The license: a small document the vendor signs (Ed25519, RFC 8032 strict) and the product verifies
 * offline. Signed bytes are the DSSE pre-authentication encoding of the canonical (RFC 8785) license
 * with its own payload type, so a license can never be confused with a manifest or an approval
 * signed by the same kind of key. The format is specified in docs/licensing.md.
 *
 * A license file is JSON: { "payload": base64(canonical license), "keyid": hex, "sig": base64 }.
 */
import { z } from 'zod';
import { canonicalJson } from '../module/canonical';
import { describeIssues } from '../module/manifest';
import { encodeBase64, KEYID_RE } from '../crypto/keys';
import { signEd25519 } from '../crypto/ed25519';
import { openSignedJson, signedJsonBytes } from '../crypto/signed-json';
import { err, ok, type Result } from '../result';
import { MAX_LICENSE_FILE_BYTES } from './features';

export const LICENSE_FORMAT = 'nightcore.license/v1';
export const LICENSE_PAYLOAD_TYPE = 'application/vnd.nightcore.license.v1+json';

/** ISO 8601 UTC with milliseconds, as Date.prototype.toISOString writes it: one text per instant. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const instant = z
  .string()
  .regex(ISO_MS, 'must be ISO 8601 UTC with milliseconds')
  .refine((t) => !Number.isNaN(Date.parse(t)) && new Date(t).toISOString() === t, 'must be a real instant');
/**
 * Feature names are open (a newer vendor may add features an older product does not know; those
 * are shown and ignored), but shaped, so a feature name is never markup or a path.
 */
const FEATURE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export const ZLicenseSchema = z
  .strictObject({
    format: z.literal(LICENSE_FORMAT),
    /** The vendor's id of this license (shown, audited). */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be letters, digits, ".", "_" or "-" (at most 64)'),
    licensee: z.string().min(1).max(200).refine((s) => s.trim() === s && !/[\u0000-\u001f\u007f]/.test(s), 'must have no control characters or outer spaces'),
    edition: z.enum(['pro']),
    features: z
      .array(z.string().regex(FEATURE_NAME, 'must be a feature name (lower-case letters, digits, "_")'))
      .min(1)
      .max(64)
      .refine((f) => new Set(f).size === f.length, 'must not repeat a feature'),
    /** How many enabled console users the installation may have. */
    seats: z.number().int().min(1).max(1_000_000),
    issued: instant,
    expires: instant,
  })
  .refine((l) => Date.parse(l.expires) > Date.parse(l.issued), { path: ['expires'], message: 'must be after issued' });
export type TLicense = z.infer<typeof ZLicenseSchema>;

export const ZSignedLicenseSchema = z.strictObject({
  payload: z.string().min(1).max(8192),
  keyid: z.string().regex(KEYID_RE, 'must be 64 lower-case hex digits'),
  sig: z.string().min(1).max(128),
});
export type TSignedLicense = z.infer<typeof ZSignedLicenseSchema>;

/** A key the product accepts licenses from. `test` marks a key configured for tests (docs/licensing.md). */
export interface VendorKey {
  readonly keyid: string;
  readonly publicKey: Uint8Array;
  readonly test: boolean;
}

export type LicenseCode = 'LICENSE_INVALID' | 'LICENSE_WRONG_KEY' | 'LICENSE_SIGNATURE_INVALID';

export interface OpenedLicense {
  readonly license: TLicense;
  readonly canonical: string;
  readonly keyid: string;
  /** Signed by a test vendor key (only accepted outside production). */
  readonly testKey: boolean;
}

export function licenseSigningBytes(canonical: string): Uint8Array {
  return signedJsonBytes(LICENSE_PAYLOAD_TYPE, canonical);
}

function canonicalLicense(value: unknown): Result<string, 'LICENSE_INVALID'> {
  const parsed = ZLicenseSchema.safeParse(value);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return err('LICENSE_INVALID', `The license has ${issues.length} problem(s): ${issues.join('; ')}`, issues);
  }
  const text = canonicalJson(parsed.data);
  return text.ok ? ok(text.value) : err('LICENSE_INVALID', text.message);
}

/** Signs a license (the vendor's issuing tool and tests; the product itself never holds a vendor key). */
export function signLicense(license: TLicense, seed: Uint8Array, keyid: string): Result<TSignedLicense, 'LICENSE_INVALID'> {
  const canonical = canonicalLicense(license);
  if (!canonical.ok) return canonical;
  const sig = signEd25519(seed, licenseSigningBytes(canonical.value));
  return ok({ payload: encodeBase64(new TextEncoder().encode(canonical.value)), keyid, sig: encodeBase64(sig) });
}

export function encodeLicenseFile(signed: TSignedLicense): string {
  return `${JSON.stringify(signed, null, 2)}\n`;
}

/**
 * Parses a license file and checks its signature against the vendor keys. Says nothing about dates:
 * whether a license is in force is a question of time (entitlement.ts), asked on every check.
 * The payload must already be canonical, so one license has exactly one text.
 */
export function openLicense(text: string, vendorKeys: readonly VendorKey[]): Result<OpenedLicense, LicenseCode> {
  if (text.length > MAX_LICENSE_FILE_BYTES) return err('LICENSE_INVALID', `A license file is at most ${MAX_LICENSE_FILE_BYTES} bytes; this one is ${text.length}.`);
  let outer: unknown;
  try {
    outer = JSON.parse(text);
  } catch {
    return err('LICENSE_INVALID', 'The license file is not JSON (expected {"payload","keyid","sig"}).');
  }
  const shape = ZSignedLicenseSchema.safeParse(outer);
  if (!shape.success) return err('LICENSE_INVALID', 'The license file is malformed.', describeIssues(shape.error));
  const signed = shape.data;
  const key = vendorKeys.find((k) => k.keyid === signed.keyid);
  if (!key) return err('LICENSE_WRONG_KEY', `The license is signed by key ${signed.keyid.slice(0, 16)}…, which is not the Night Core vendor key.`);
  const opened = openSignedJson(signed, LICENSE_PAYLOAD_TYPE, key.publicKey);
  if (!opened.ok) {
    if (opened.code === 'BAD_SIGNATURE') return err('LICENSE_SIGNATURE_INVALID', 'The license signature does not verify with the vendor key: the license was altered or forged.');
    return err('LICENSE_INVALID', opened.code === 'NOT_JSON' ? 'The signed license is not UTF-8 JSON.' : opened.message);
  }
  const { text: canonical, value } = opened.value;
  const again = canonicalLicense(value);
  if (!again.ok) return again;
  if (again.value !== canonical) return err('LICENSE_INVALID', 'The signed license is not in canonical (RFC 8785) form.');
  return ok({ license: ZLicenseSchema.parse(value), canonical, keyid: key.keyid, testKey: key.test });
}
