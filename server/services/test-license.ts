/**
 * Test support (not shipped behaviour): a TEST vendor key pair generated per test process (no
 * vendor private key exists in the repository), licenses signed with it, and a helper that installs
 * a PRO license with every feature. Services must be opened with `licenseKeys: TEST_LICENSE_KEYS`
 * (openHarness does) for the test key to count.
 */
import { generateKeyPair } from '../core/crypto/ed25519';
import { encodeBase64, keyIdOf } from '../core/crypto/keys';
import { encodeLicenseFile, FEATURES, LICENSE_FORMAT, PRODUCTION_VENDOR_KEY, signLicense, type TLicense, type VendorKey } from '../core/license';
import type { Services } from './index';

const pair = generateKeyPair();
export const TEST_VENDOR = { seed: pair.seed, publicKey: pair.publicKey, keyid: keyIdOf(pair.publicKey) };
/** For NIGHTCORE_LICENSE_TEST_KEY in tests that go through config.ts. */
export const TEST_VENDOR_PUBLIC_BASE64 = encodeBase64(pair.publicKey);
export const TEST_LICENSE_KEYS: readonly VendorKey[] = [PRODUCTION_VENDOR_KEY, { keyid: TEST_VENDOR.keyid, publicKey: TEST_VENDOR.publicKey, test: true }];

const DAY = 24 * 60 * 60 * 1000;

/** A PRO license with every feature, valid from a day ago for a year (override any field). */
export function testLicense(over: Partial<TLicense> = {}, now: Date = new Date()): TLicense {
  return {
    format: LICENSE_FORMAT,
    id: 'TEST-PRO-1',
    licensee: 'Test Customer',
    edition: 'pro',
    features: [...FEATURES],
    seats: 50,
    issued: new Date(now.getTime() - DAY).toISOString(),
    expires: new Date(now.getTime() + 365 * DAY).toISOString(),
    ...over,
  };
}

/** The license file text, signed with the test vendor key (or `seed`). */
export function testLicenseFile(over: Partial<TLicense> = {}, options: { now?: Date; seed?: Uint8Array; keyid?: string } = {}): string {
  const signed = signLicense(testLicense(over, options.now), options.seed ?? TEST_VENDOR.seed, options.keyid ?? TEST_VENDOR.keyid);
  if (!signed.ok) throw new Error(signed.message);
  return encodeLicenseFile(signed.value);
}

/** Installs a PRO test license; throws if the services were not opened with the test key. */
export function installProLicense(services: Pick<Services, 'license'>, over: Partial<TLicense> = {}, now?: Date): void {
  const installed = services.license.install(testLicenseFile(over, { now }), 'test:vendor');
  if (!installed.ok) throw new Error(`${installed.code}: ${installed.message}`);
}
