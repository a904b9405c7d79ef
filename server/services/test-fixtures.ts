/**
 * Test support (not shipped behaviour): a fresh data folder with real services, a publisher key
 * generated on the spot and registered, and a helper that signs, writes and imports a module.
 * The services accept licenses signed by the test vendor key (./test-license.ts); none is installed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../core/crypto/ed25519';
import { createManifest, signManifest, type ManifestFields } from '../core/module/sign';
import { openServices, type Services, type ServiceOptions } from './index';
import { writeBundle } from './bundle-files';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';
import { DEFAULT_INSTRUMENT_WORKER_URL } from './instrument-worker-url';
import type { ModuleVersionRow } from './module-registry';
import { TEST_LICENSE_KEYS } from './test-license';

export interface Harness {
  readonly services: Services;
  readonly dataDir: string;
  readonly publisher: { seed: Uint8Array; publicKey: Uint8Array; keyid: string };
  /** Signs `wasm` as a bundle with the registered publisher key (or `key`) and imports it. */
  install(wasm: Uint8Array, fields?: Partial<ManifestFields>, key?: { seed: Uint8Array }): ModuleVersionRow;
  /** Writes a signed bundle folder without importing it. */
  bundle(wasm: Uint8Array, fields?: Partial<ManifestFields>, key?: { seed: Uint8Array }): string;
}

let counter = 0;

export function openHarness(options: Partial<ServiceOptions> = {}): Harness {
  const dataDir = mkdtempSync(join(tmpdir(), 'nightcore-test-'));
  const services = openServices({ dataDir, poolSize: 2, workerUrl: DEFAULT_WORKER_URL, instrumentWorkerUrl: DEFAULT_INSTRUMENT_WORKER_URL, licenseKeys: TEST_LICENSE_KEYS, ...options });
  const pair = generateKeyPair();
  const added = services.trust.add({ publicKey: pair.publicKey, role: 'publisher', name: 'test publisher' }, 'test:admin');
  if (!added.ok) throw new Error(added.message);
  const publisher = { ...pair, keyid: added.value.keyid };

  const bundle = (wasm: Uint8Array, fields: Partial<ManifestFields> = {}, key: { seed: Uint8Array } = publisher): string => {
    const manifest = createManifest(wasm, { name: 'hello', version: '1.0.0', ...fields });
    if (!manifest.ok) throw new Error(`${manifest.message}: ${manifest.issues?.join('; ')}`);
    const envelope = signManifest(manifest.value, null, key.seed);
    if (!envelope.ok) throw new Error(envelope.message);
    const dir = join(dataDir, `bundle-${++counter}`);
    writeBundle(dir, wasm, manifest.value, envelope.value);
    return dir;
  };
  const install = (wasm: Uint8Array, fields: Partial<ManifestFields> = {}, key: { seed: Uint8Array } = publisher) => {
    const imported = services.modules.importFolder(bundle(wasm, fields, key), 'test:operator');
    if (!imported.ok) throw new Error(`${imported.code}: ${imported.message}`);
    return imported.value;
  };
  return { services, dataDir, publisher, install, bundle };
}
