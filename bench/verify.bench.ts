/**
 * Verification benchmark: `node bin/run-ts.mjs bench/verify.bench.ts`
 * Compares, side by side in one run, verifyBundle (the whole bundle check) with a raw
 * node:crypto.verify of the same signature, and SHA-256 via sha256Hex with a raw createHash.
 * Ratios are what to watch; absolute numbers depend on the machine.
 * Writes bench/results/verify.{json,md}.
 */
import os from 'node:os';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { sha256Hex } from '../server/core/crypto/digest';
import { verifyBundle } from '../server/core/module/verify';
import { preAuthEncoding } from '../server/core/module/dsse';
import { HELLO_WASM, context, newKey, signedBundle, trusted } from '../server/core/module/test-support';

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** Runs fn in rounds of `batch` calls until `ms` elapse; returns calls per second. */
function rate(fn: () => unknown, ms: number, batch = 200): number {
  const end = performance.now() + ms;
  let calls = 0;
  const start = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
  }
  return calls / ((performance.now() - start) / 1000);
}

/** Alternates A and B in short slices so drift (thermal, other engineers' jobs) hits both alike. */
function sideBySide(a: () => unknown, b: () => unknown, slices = 10, sliceMs = 200): [number, number] {
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 0; i < slices; i++) {
    ra.push(rate(a, sliceMs));
    rb.push(rate(b, sliceMs));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return [median(ra), median(rb)];
}

function main() {
  const key = newKey();
  const ctx = context([trusted(key, 'publisher')]);
  const bundle = signedBundle(HELLO_WASM, [key]);
  const envelope = JSON.parse(bundle.envelopeText) as { payloadType: string; payload: string; signatures: { sig: string }[] };
  const pae = preAuthEncoding(envelope.payloadType, new Uint8Array(Buffer.from(envelope.payload, 'base64')));
  const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
  const keyObject = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.publicKey).toString('base64url') }, format: 'jwk' });

  // Sanity: both paths must succeed, or the comparison means nothing.
  if (!verifyBundle(bundle, ctx).ok) throw new Error('verifyBundle failed on the benchmark bundle');
  if (!verify(null, pae, keyObject, sig)) throw new Error('raw verify failed on the benchmark bundle');

  // Warm-up (JIT, KeyObject cache).
  rate(() => verifyBundle(bundle, ctx), 300);
  rate(() => verify(null, pae, keyObject, sig), 300);

  const [bundleRate, rawRate] = sideBySide(() => verifyBundle(bundle, ctx), () => verify(null, pae, keyObject, sig));

  const hashRows = [1, 16].map((mib) => {
    const buffer = new Uint8Array(mib * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
    const [ours, raw] = sideBySide(
      () => sha256Hex(buffer),
      () => createHash('sha256').update(buffer).digest('hex'),
      6,
      mib === 1 ? 300 : 600,
    ).map((r) => r * mib) as [number, number];
    return { bufferMiB: mib, sha256HexMiBps: round(ours, 1), rawCreateHashMiBps: round(raw, 1), ratio: round(ours / raw) };
  });

  const result = {
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}` },
    date: new Date().toISOString(),
    verify: {
      wasmBytes: HELLO_WASM.length,
      manifestBytes: bundle.manifestText.length,
      verifyBundlePerSec: Math.round(bundleRate),
      rawNodeVerifyPerSec: Math.round(rawRate),
      ratio: round(bundleRate / rawRate),
      target: '>= 0.9',
    },
    sha256: hashRows,
  };

  const md = [
    '# verify benchmark',
    '',
    `${result.machine.cpu}, ${result.machine.cores} cores, node ${result.machine.node}, ${result.date}`,
    '',
    '| measurement | ours | raw node:crypto | ratio |',
    '|---|---|---|---|',
    `| verifyBundle vs crypto.verify (${result.verify.wasmBytes}-byte module), ops/s | ${result.verify.verifyBundlePerSec} | ${result.verify.rawNodeVerifyPerSec} | ${result.verify.ratio} |`,
    ...hashRows.map((r) => `| sha256Hex ${r.bufferMiB} MiB, MiB/s | ${r.sha256HexMiBps} | ${r.rawCreateHashMiBps} | ${r.ratio} |`),
    '',
  ].join('\n');

  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/verify.json', `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync('bench/results/verify.md', md);
  console.log(md);
}

main();
