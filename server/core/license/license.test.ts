/**
 * The license document: only a license signed by a vendor key opens; forged, wrong-key, tampered,
 * non-canonical and malformed ones are refused with their own codes; dates decide the edition.
 */
import { describe, it, expect } from 'vitest';
import { generateKeyPair, signEd25519 } from '../crypto/ed25519';
import { encodeBase64, keyIdOf } from '../crypto/keys';
import { preAuthEncoding } from '../module/dsse';
import {
  checkFeature,
  checkSeat,
  COMMUNITY_SEATS,
  encodeLicenseFile,
  entitlementOf,
  FEATURES,
  LICENSE_FORMAT,
  LICENSE_PAYLOAD_TYPE,
  MAX_LICENSE_FILE_BYTES,
  openLicense,
  PRODUCTION_VENDOR_KEY,
  signLicense,
  VENDOR_PUBLIC_KEY_BASE64,
  type TLicense,
  type VendorKey,
} from './index';

const vendor = generateKeyPair();
const VENDOR: VendorKey = { keyid: keyIdOf(vendor.publicKey), publicKey: vendor.publicKey, test: true };
const KEYS = [PRODUCTION_VENDOR_KEY, VENDOR];
const NOW = new Date('2026-06-01T00:00:00.000Z');

const license = (over: Partial<TLicense> = {}): TLicense => ({
  format: LICENSE_FORMAT,
  id: 'NC-2026-0042',
  licensee: 'Acme Security GmbH',
  edition: 'pro',
  features: [...FEATURES],
  seats: 25,
  issued: '2026-01-01T00:00:00.000Z',
  expires: '2027-01-01T00:00:00.000Z',
  ...over,
});

const file = (over: Partial<TLicense> = {}, seed = vendor.seed, keyid = VENDOR.keyid) => {
  const signed = signLicense(license(over), seed, keyid);
  if (!signed.ok) throw new Error(signed.message);
  return encodeLicenseFile(signed.value);
};

/** Signs arbitrary payload bytes, as a forger with the vendor key could: for the canonical-form check. */
const rawFile = (payload: string) =>
  JSON.stringify({ payload: encodeBase64(new TextEncoder().encode(payload)), keyid: VENDOR.keyid, sig: encodeBase64(signEd25519(vendor.seed, preAuthEncoding(LICENSE_PAYLOAD_TYPE, new TextEncoder().encode(payload)))) });

describe('opening a license', () => {
  it('opens a license signed by a vendor key and says which key', () => {
    const opened = openLicense(file(), KEYS);
    expect(opened).toMatchObject({ ok: true, value: { keyid: VENDOR.keyid, testKey: true, license: { licensee: 'Acme Security GmbH', seats: 25 } } });
  });

  it('forged: a signature by another key that claims the vendor key id', () => {
    const forger = generateKeyPair();
    expect(openLicense(file({}, forger.seed, VENDOR.keyid), KEYS)).toMatchObject({ ok: false, code: 'LICENSE_SIGNATURE_INVALID' });
  });

  it('wrong key: a license signed by a key that is not a vendor key', () => {
    const other = generateKeyPair();
    const r = openLicense(file({}, other.seed, keyIdOf(other.publicKey)), KEYS);
    expect(r).toMatchObject({ ok: false, code: 'LICENSE_WRONG_KEY' });
    // and a test-key license is nothing to a production installation
    expect(openLicense(file(), [PRODUCTION_VENDOR_KEY])).toMatchObject({ ok: false, code: 'LICENSE_WRONG_KEY' });
  });

  it('tampered: more seats, a later expiry, another licensee, a flipped signature bit', () => {
    const good = JSON.parse(file()) as { payload: string; keyid: string; sig: string };
    const body = JSON.parse(Buffer.from(good.payload, 'base64').toString('utf8')) as TLicense;
    for (const change of [{ seats: 10_000 }, { expires: '2099-01-01T00:00:00.000Z' }, { licensee: 'Mallory' }]) {
      const payload = Buffer.from(JSON.stringify(Object.fromEntries(Object.entries({ ...body, ...change }).sort()))).toString('base64');
      expect(openLicense(JSON.stringify({ ...good, payload }), KEYS)).toMatchObject({ ok: false, code: 'LICENSE_SIGNATURE_INVALID' });
    }
    const sig = Buffer.from(good.sig, 'base64');
    sig[5]! ^= 1;
    expect(openLicense(JSON.stringify({ ...good, sig: sig.toString('base64') }), KEYS)).toMatchObject({ ok: false, code: 'LICENSE_SIGNATURE_INVALID' });
  });

  it('refuses a validly signed payload that is not canonical or not a license', () => {
    const canonical = JSON.stringify(Object.fromEntries(Object.entries(license()).sort()));
    expect(openLicense(rawFile(canonical), KEYS).ok).toBe(true);
    expect(openLicense(rawFile(JSON.stringify(license(), null, 1)), KEYS)).toMatchObject({ ok: false, code: 'LICENSE_INVALID', message: expect.stringContaining('canonical') });
    const bad = openLicense(rawFile(JSON.stringify({ ...license(), edition: 'ultimate', seats: 0, extra: 1 })), KEYS);
    expect(bad).toMatchObject({ ok: false, code: 'LICENSE_INVALID' });
    expect(bad.ok ? [] : bad.issues?.join('\n')).toMatch(/edition[\s\S]*seats|seats[\s\S]*edition/);
  });

  it('refuses malformed files with a clear message, and oversized ones without parsing', () => {
    expect(openLicense('not json', KEYS)).toMatchObject({ code: 'LICENSE_INVALID', message: expect.stringContaining('not JSON') });
    expect(openLicense('{"payload":"x"}', KEYS)).toMatchObject({ code: 'LICENSE_INVALID' });
    expect(openLicense(' '.repeat(MAX_LICENSE_FILE_BYTES + 1), KEYS)).toMatchObject({ code: 'LICENSE_INVALID', message: expect.stringContaining('at most') });
  });

  it('signing refuses a license that fails its own schema (expiry before issue, repeated feature)', () => {
    expect(signLicense(license({ expires: '2025-01-01T00:00:00.000Z' }), vendor.seed, VENDOR.keyid)).toMatchObject({ ok: false, code: 'LICENSE_INVALID' });
    expect(signLicense(license({ features: ['siem_export', 'siem_export'] }), vendor.seed, VENDOR.keyid)).toMatchObject({ ok: false, code: 'LICENSE_INVALID' });
  });

  it('the built-in vendor key is a real public key, not a test key', () => {
    expect(PRODUCTION_VENDOR_KEY.test).toBe(false);
    expect(encodeBase64(PRODUCTION_VENDOR_KEY.publicKey)).toBe(VENDOR_PUBLIC_KEY_BASE64);
    expect(PRODUCTION_VENDOR_KEY.keyid).toBe(keyIdOf(PRODUCTION_VENDOR_KEY.publicKey));
  });
});

describe('entitlement', () => {
  const at = (iso: string, over: Partial<TLicense> = {}) => entitlementOf(openLicense(file(over), KEYS), new Date(iso));

  it('no license: community, with the community seats and no PRO feature', () => {
    const e = entitlementOf(undefined, NOW);
    expect(e).toMatchObject({ edition: 'community', state: 'none', features: [], seats: COMMUNITY_SEATS });
    for (const f of FEATURES) expect(checkFeature(e, f)).toMatchObject({ ok: false, code: 'LICENSE_REQUIRED', message: expect.stringContaining(f) });
    expect(checkFeature(e, 'policy_simulation')).toMatchObject({ message: expect.stringMatching(/Policy simulation \(feature policy_simulation\) needs the PRO edition\. Community edition: no license/) });
  });

  it('valid: PRO with the listed features; the seats never fall below community', () => {
    const e = at('2026-06-01T00:00:00.000Z');
    expect(e).toMatchObject({ edition: 'pro', state: 'valid', seats: 25 });
    for (const f of FEATURES) expect(checkFeature(e, f).ok).toBe(true);
    expect(at('2026-06-01T00:00:00.000Z', { seats: 2 }).seats).toBe(COMMUNITY_SEATS);
  });

  it('expired, to the millisecond: community again, and the refusal says so', () => {
    expect(at('2026-12-31T23:59:59.999Z').edition).toBe('pro');
    const e = at('2027-01-01T00:00:00.000Z');
    expect(e).toMatchObject({ edition: 'community', state: 'expired', features: [], seats: COMMUNITY_SEATS });
    expect(checkFeature(e, 'approval_quorum')).toMatchObject({ ok: false, message: expect.stringContaining('expired on 2027-01-01') });
  });

  it('not yet valid: community until the issue date', () => {
    const e = at('2025-12-31T23:59:59.999Z');
    expect(e).toMatchObject({ edition: 'community', state: 'not_yet_valid' });
    expect(checkFeature(e, 'siem_export')).toMatchObject({ ok: false, message: expect.stringContaining('valid from 2026-01-01') });
  });

  it('a license that no longer verifies is community, never an error that opens a gate', () => {
    const e = entitlementOf({ ok: false, code: 'LICENSE_SIGNATURE_INVALID', message: 'altered' }, NOW);
    expect(e).toMatchObject({ edition: 'community', state: 'invalid', features: [] });
  });

  it('PRO without a feature refuses that feature by name; unknown features are shown and ignored', () => {
    const e = at('2026-06-01T00:00:00.000Z', { features: ['policy_simulation', 'quantum_teleport'] });
    expect(e.features).toEqual(['policy_simulation']);
    expect(e.license?.unknownFeatures).toEqual(['quantum_teleport']);
    expect(checkFeature(e, 'siem_export')).toMatchObject({ ok: false, message: expect.stringContaining('not included in license NC-2026-0042') });
  });

  it('seats: the next user fits below the limit and not at it', () => {
    const e = at('2026-06-01T00:00:00.000Z');
    expect(checkSeat(e, 24).ok).toBe(true);
    expect(checkSeat(e, 25)).toMatchObject({ ok: false, code: 'SEAT_LIMIT', message: expect.stringContaining('allows 25') });
    expect(checkSeat(entitlementOf(undefined, NOW), COMMUNITY_SEATS)).toMatchObject({ ok: false, message: expect.stringContaining('PRO') });
  });
});
