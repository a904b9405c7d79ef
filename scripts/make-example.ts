/**
 * Rebuilds examples/hello-bundle from examples/hello.wat and signs it with a key generated for
 * this run only: the public key is written to examples/example-publisher.pub and the private key
 * is never stored, so the repository holds no secret. Run: node bin/run-ts.mjs scripts/make-example.ts
 */
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { generateKeyPair } from '../server/core/crypto/ed25519';
import { encodePublicKeyFile, keyIdOf } from '../server/core/crypto/keys';
import { createManifest, signManifest } from '../server/core/module/sign';
import { writeBundle } from '../server/services/bundle-files';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');
const wabt = await wabtInit();
const parsed = wabt.parseWat('hello.wat', readFileSync(join(examples, 'hello.wat'), 'utf8'), {});
const wasm = new Uint8Array(parsed.toBinary({}).buffer);
const manifest = createManifest(wasm, {
  name: 'hello',
  version: '1.0.0',
  description: 'Prints a greeting. The example bundle shipped with Night Core.',
  capabilities: ['stdout', 'stderr', 'exit'],
  limits: { fuel: 1_000_000, memoryPages: 1, wallMs: 1000, outputBytes: 4096 },
});
if (!manifest.ok) throw new Error(manifest.message);
const key = generateKeyPair();
const envelope = signManifest(manifest.value, null, key.seed);
if (!envelope.ok) throw new Error(envelope.message);
const dir = join(examples, 'hello-bundle');
rmSync(dir, { recursive: true, force: true });
writeBundle(dir, wasm, manifest.value, envelope.value);
writeFileSync(join(examples, 'example-publisher.pub'), encodePublicKeyFile(key.publicKey));
console.log(`wrote ${dir}, signed by ${keyIdOf(key.publicKey)} (private key discarded)`);
