/**
 * Runtime configuration from flags and environment, validated once at start. The core never reads
 * the environment; everything it needs is passed down from here.
 */
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { keyIdOf, parsePublicKeyFile } from '../core/crypto/keys';
import { PRODUCTION_VENDOR_KEY, type VendorKey } from '../core/license';

/** Data folder: `--data DIR`, else NIGHTCORE_DATA, else ./data (relative to the working directory). */
export function resolveDataDir(flag?: string): string {
  const chosen = flag ?? process.env.NIGHTCORE_DATA;
  return resolve(chosen && chosen.trim() !== '' ? chosen : 'data');
}

/** Guardian policy file: `--policy FILE`, else NIGHTCORE_POLICY, else the shipped default. */
export function resolvePolicyPath(flag?: string): string | undefined {
  const chosen = flag ?? process.env.NIGHTCORE_POLICY;
  return chosen && chosen.trim() !== '' ? resolve(chosen) : undefined;
}

/**
 * The console's default number of sandbox workers: one core stays free for serving pages and the API,
 * so a flood of CPU-heavy runs cannot starve the people using the console (at least one worker).
 */
export function consolePoolSize(cores: number = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

/** The sandbox backend: NIGHTCORE_BACKEND (`worker-threads`, the default, `process` or `remote`). */
export function resolveBackend(): 'worker-threads' | 'process' | 'remote' {
  const text = process.env.NIGHTCORE_BACKEND?.trim();
  if (!text || text === 'worker-threads') return 'worker-threads';
  if (text === 'process' || text === 'remote') return text;
  throw new Error(`NIGHTCORE_BACKEND must be worker-threads, process or remote, not "${text}"`);
}

/** Execution nodes for the remote backend: NIGHTCORE_NODES = `keyid@http://host:port[,...]` (full 64-digit key ids). */
export function resolveNodes(): { keyid: string; url: string }[] | undefined {
  const text = process.env.NIGHTCORE_NODES?.trim();
  if (!text) return undefined;
  return text.split(',').map((entry) => {
    const m = /^([0-9a-f]{64})@(https?:\/\/[^\s/]+)\/?$/.exec(entry.trim());
    if (!m) throw new Error(`NIGHTCORE_NODES entries are keyid@http://host:port, not "${entry.trim()}"`);
    return { keyid: m[1]!, url: m[2]! };
  });
}

/** Sandbox worker threads: NIGHTCORE_POOL_SIZE, else undefined (the caller's default). */
export function resolvePoolSize(): number | undefined {
  const text = process.env.NIGHTCORE_POOL_SIZE;
  if (text === undefined || text.trim() === '') return undefined;
  const size = Number(text);
  if (!Number.isSafeInteger(size) || size < 1 || size > 256) {
    throw new Error(`NIGHTCORE_POOL_SIZE must be a whole number from 1 to 256, not "${text}"`);
  }
  return size;
}

/**
 * The keys licenses are verified with: the vendor key built into the product, plus a TEST vendor
 * key (NIGHTCORE_LICENSE_TEST_KEY, base64 public key) only outside production: when NODE_ENV is
 * `test` (vitest) or NIGHTCORE_NON_PRODUCTION=1 is set explicitly (the e2e suite, which runs the
 * production build). A production server with the test key set refuses to start: anyone holding
 * that key's private half could otherwise mint PRO licenses (docs/licensing.md).
 */
export function resolveLicenseVendorKeys(env: Readonly<Record<string, string | undefined>> = process.env): VendorKey[] {
  const text = env.NIGHTCORE_LICENSE_TEST_KEY?.trim();
  if (!text) return [PRODUCTION_VENDOR_KEY];
  const nonProduction = env.NODE_ENV === 'test' || env.NIGHTCORE_NON_PRODUCTION === '1';
  if (!nonProduction) {
    throw new Error('NIGHTCORE_LICENSE_TEST_KEY is set on a production server; refusing to start (unset it, or set NIGHTCORE_NON_PRODUCTION=1 on a test installation)');
  }
  const key = parsePublicKeyFile(text);
  if (!key.ok) throw new Error(`NIGHTCORE_LICENSE_TEST_KEY: ${key.message}`);
  return [PRODUCTION_VENDOR_KEY, { keyid: keyIdOf(key.value), publicKey: key.value, test: true }];
}

/** Chromium for PDF reports: NIGHTCORE_CHROMIUM, else Debian's /usr/bin/chromium. */
export function resolveChromium(): string {
  const text = process.env.NIGHTCORE_CHROMIUM?.trim();
  return text ? text : '/usr/bin/chromium';
}

/** The /metrics bearer token: NIGHTCORE_METRICS_TOKEN; unset or empty, /metrics is disabled. */
export function resolveMetricsToken(): string | undefined {
  const text = process.env.NIGHTCORE_METRICS_TOKEN?.trim();
  return text ? text : undefined;
}
