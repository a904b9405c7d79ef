/**
 * Profiling driver (not a bench) for verifyBundle, for
 * `node --cpu-prof --cpu-prof-dir=DIR bin/run-ts.mjs bench/profile-verify.ts [calls] [raw]`,
 * then `node bench/cpu-profile-top.mjs DIR/*.cpuprofile`. Verifies the bench's bundle (the hello
 * module, one publisher key) `calls` times; with `raw`, runs crypto.verify of the same signature
 * instead, so the two profiles can be compared. What it showed is in bench/README.md ("Issue 14:
 * verification").
 */
import { createPublicKey, verify } from 'node:crypto';
import { verifyBundle } from '../server/core/module/verify';
import { preAuthEncoding } from '../server/core/module/dsse';
import { HELLO_WASM, context, newKey, signedBundle, trusted } from '../server/core/module/test-support';

const calls = Number(process.argv[2] ?? 100_000);
const raw = process.argv[3] === 'raw';
const key = newKey();
const ctx = context([trusted(key, 'publisher')]);
const bundle = signedBundle(HELLO_WASM, [key]);
const envelope = JSON.parse(bundle.envelopeText) as { payloadType: string; payload: string; signatures: { sig: string }[] };
const pae = preAuthEncoding(envelope.payloadType, new Uint8Array(Buffer.from(envelope.payload, 'base64')));
const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
const keyObject = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.publicKey).toString('base64url') }, format: 'jwk' });

const start = process.cpuUsage();
for (let i = 0; i < calls; i++) {
  const ok = raw ? verify(null, pae, keyObject, sig) : verifyBundle(bundle, ctx).ok;
  if (!ok) throw new Error('verification failed on the profiling bundle');
}
const cpu = process.cpuUsage(start);
console.log(`${raw ? 'crypto.verify' : 'verifyBundle'}: ${calls} calls, ${(((cpu.user + cpu.system) / calls)).toFixed(2)} µs CPU per call`);
