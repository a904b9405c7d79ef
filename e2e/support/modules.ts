/**
 * Signed bundles made inside a test: a key generated on the spot (never written anywhere but the
 * run's temp folder, which is deleted afterwards), a module compiled from WAT, the manifest and
 * DSSE envelope made by the same core code the CLI uses.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import wabtInit from 'wabt';
import { generateKeyPair } from '../../server/core/crypto/ed25519';
import { encodePublicKeyFile, keyIdOf } from '../../server/core/crypto/keys';
import { createManifest, signManifest, type ManifestFields } from '../../server/core/module/sign';
import { writeBundle, BUNDLE_FILES } from '../../server/services/bundle-files';

export async function compileWat(source: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat('e2e.wat', source, {});
  try {
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

export interface SignedBundleOnDisk {
  readonly dir: string;
  /** The three files, in the order the upload form takes them. */
  readonly files: readonly string[];
  readonly keyid: string;
  /** Text of the publisher's .pub file (base64 of the public key), for the trust store. */
  readonly publicKeyFile: string;
}

/** Writes a bundle signed by a fresh publisher key into a new folder under `parent`. */
export function writeSignedBundle(parent: string, wasm: Uint8Array, fields: ManifestFields): SignedBundleOnDisk {
  const pair = generateKeyPair();
  const manifest = createManifest(wasm, fields);
  if (!manifest.ok) throw new Error(`${manifest.message}: ${manifest.issues?.join('; ')}`);
  const envelope = signManifest(manifest.value, null, pair.seed);
  if (!envelope.ok) throw new Error(envelope.message);
  const dir = mkdtempSync(join(parent, `${fields.name}-`));
  writeBundle(dir, wasm, manifest.value, envelope.value);
  return {
    dir,
    files: [BUNDLE_FILES.wasm, BUNDLE_FILES.manifest, BUNDLE_FILES.envelope].map((f) => join(dir, f)),
    keyid: keyIdOf(pair.publicKey),
    publicKeyFile: encodePublicKeyFile(pair.publicKey),
  };
}
