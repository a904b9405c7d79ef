/**
 * Licenses for the end-to-end run. The suite runs the PRODUCTION build, which accepts a test vendor
 * key only when told explicitly that it is not production (docs/licensing.md): global setup makes a
 * fresh test vendor key pair, exports NIGHTCORE_LICENSE_TEST_KEY and NIGHTCORE_NON_PRODUCTION=1
 * (inherited by the CLI, the server and the workers) and keeps the private half in the run folder
 * (deleted with it), so specs can sign licenses of their own.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '../../server/core/crypto/ed25519';
import { decodeBase64Strict, encodeBase64, keyIdOf } from '../../server/core/crypto/keys';
import { encodeLicenseFile, FEATURES, LICENSE_FORMAT, signLicense, type TLicense } from '../../server/core/license';
import { runDir } from './env';

const seedFileOf = (run: string) => join(run, 'license-test-vendor.seed');
const DAY = 86_400_000;

/** Global setup: a test vendor key for this run, announced through the environment. */
export function prepareTestVendorKey(run: string): void {
  const pair = generateKeyPair();
  writeFileSync(seedFileOf(run), encodeBase64(pair.seed), { mode: 0o600 });
  process.env.NIGHTCORE_LICENSE_TEST_KEY = encodeBase64(pair.publicKey);
  process.env.NIGHTCORE_NON_PRODUCTION = '1';
}

/** A license file signed with this run's test vendor key: PRO, every feature, valid for a year unless overridden. */
export function e2eLicenseFile(over: Partial<TLicense> = {}, run: string = runDir()): string {
  const seed = decodeBase64Strict(readFileSync(seedFileOf(run), 'utf8'))!;
  const now = Date.now();
  const publicKey = decodeBase64Strict(process.env.NIGHTCORE_LICENSE_TEST_KEY ?? '')!;
  const license: TLicense = {
    format: LICENSE_FORMAT,
    id: 'E2E-PRO',
    licensee: 'Night Core e2e',
    edition: 'pro',
    features: [...FEATURES],
    seats: 50,
    issued: new Date(now - DAY).toISOString(),
    expires: new Date(now + 365 * DAY).toISOString(),
    ...over,
  };
  const signed = signLicense(license, seed, keyIdOf(publicKey));
  if (!signed.ok) throw new Error(signed.message);
  return encodeLicenseFile(signed.value);
}
