/**
 * Verification benchmark: `node bin/run-ts.mjs bench/verify.bench.ts`
 * Compares, side by side in one run, verifyBundle (the whole bundle check) with a raw
 * node:crypto.verify of the same signature, and SHA-256 via sha256Hex with a raw createHash.
 * verifyBundle is measured twice: as a stored module is re-verified (no version history, the
 * governor's and the remote node's case) and as an import is (with the anti-rollback history).
 * Each slice's rate is taken over wall time and over the process's CPU time: on a shared host
 * the CPU-time ratio is the steadier one. Ratios are what to watch; absolute numbers depend on
 * the machine. Writes bench/results/verify.{json,md}.
 */
import os from 'node:os';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { sha256Hex } from '../server/core/crypto/digest';
import { verifyBundle } from '../server/core/module/verify';
import { preAuthEncoding } from '../server/core/module/dsse';
import { HELLO_WASM, context, newKey, signedBundle, trusted } from '../server/core/module/test-support';

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

interface Rate {
  /** Calls per second of wall time. */
  wall: number;
  /** Calls per second of this process's CPU time (user + system). */
  cpu: number;
}

/** Runs fn in rounds of `batch` calls until `ms` elapse. */
function rate(fn: () => unknown, ms: number, batch = 200): Rate {
  const end = performance.now() + ms;
  let calls = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  while (performance.now() < end) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
  }
  const cpu = process.cpuUsage(cpuStart);
  return { wall: calls / ((performance.now() - start) / 1000), cpu: calls / ((cpu.user + cpu.system) / 1e6) };
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/**
 * Takes turns (rotating who goes first) in short slices so drift (thermal, other engineers' jobs)
 * hits all alike; returns every slice's rate, per function.
 */
function sideBySide(fns: (() => unknown)[], slices: number, sliceMs: number): Rate[][] {
  const rates: Rate[][] = fns.map(() => []);
  for (let i = 0; i < slices; i++) {
    for (let j = 0; j < fns.length; j++) {
      const k = (i + j) % fns.length;
      rates[k]!.push(rate(fns[k]!, sliceMs));
    }
  }
  return rates;
}

/**
 * Median rates, and the median of the per-round ratios: each round's slices ran back to back, so
 * pairing them cancels load changes between rounds better than a ratio of two medians does.
 */
function compare(ours: Rate[], raw: Rate[]) {
  const ratio = (clock: keyof Rate) => round(median(ours.map((r, i) => r[clock] / raw[i]![clock])));
  return { perSec: Math.round(median(ours.map((r) => r.wall))), rawPerSec: Math.round(median(raw.map((r) => r.wall))), ratio: ratio('wall'), cpuTimeRatio: ratio('cpu') };
}

const loadAverage = () => os.loadavg().map((l) => round(l, 2));

function main() {
  const key = newKey();
  const ctx = context([trusted(key, 'publisher')]);
  const bundle = signedBundle(HELLO_WASM, [key]);
  // An import of 1.0.0 again with the same code: every anti-rollback check runs and passes.
  const wasmSha256 = sha256Hex(HELLO_WASM);
  const importCtx = context([trusted(key, 'publisher')], { highestAccepted: { version: '1.0.0', wasmSha256 }, acceptedVersionsOfDigest: ['1.0.0'] });
  const envelope = JSON.parse(bundle.envelopeText) as { payloadType: string; payload: string; signatures: { sig: string }[] };
  const pae = preAuthEncoding(envelope.payloadType, new Uint8Array(Buffer.from(envelope.payload, 'base64')));
  const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
  const keyObject = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.publicKey).toString('base64url') }, format: 'jwk' });

  // Sanity: both paths must succeed, or the comparison means nothing.
  if (!verifyBundle(bundle, ctx).ok || !verifyBundle(bundle, importCtx).ok) throw new Error('verifyBundle failed on the benchmark bundle');
  if (!verify(null, pae, keyObject, sig)) throw new Error('raw verify failed on the benchmark bundle');

  // Warm-up (JIT, KeyObject cache).
  rate(() => verifyBundle(bundle, ctx), 300);
  rate(() => verify(null, pae, keyObject, sig), 300);

  const loadBefore = loadAverage();
  const [bundleRates, importRates, rawRates] = sideBySide(
    [() => verifyBundle(bundle, ctx), () => verifyBundle(bundle, importCtx), () => verify(null, pae, keyObject, sig)],
    40,
    100,
  ) as [Rate[], Rate[], Rate[]];
  const reverification = compare(bundleRates, rawRates);
  const withAntiRollback = compare(importRates, rawRates);

  const hashRows = [1, 16].map((mib) => {
    const buffer = new Uint8Array(mib * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
    const [ours, raw] = sideBySide(
      [() => sha256Hex(buffer), () => createHash('sha256').update(buffer).digest('hex')],
      6,
      mib === 1 ? 300 : 600,
    ) as [Rate[], Rate[]];
    const hashed = compare(ours, raw);
    return { bufferMiB: mib, sha256HexMiBps: round(hashed.perSec * mib, 1), rawCreateHashMiBps: round(hashed.rawPerSec * mib, 1), ratio: hashed.ratio };
  });

  const result = {
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}` },
    date: new Date().toISOString(),
    loadAverage: { before: loadBefore, after: loadAverage() },
    verify: {
      wasmBytes: HELLO_WASM.length,
      manifestBytes: bundle.manifestText.length,
      verifyBundlePerSec: reverification.perSec,
      rawNodeVerifyPerSec: reverification.rawPerSec,
      ratio: reverification.ratio,
      cpuTimeRatio: reverification.cpuTimeRatio,
      withAntiRollback: { verifyBundlePerSec: withAntiRollback.perSec, ratio: withAntiRollback.ratio, cpuTimeRatio: withAntiRollback.cpuTimeRatio },
      target: '>= 0.95 (issue 14)',
    },
    sha256: hashRows,
  };

  const md = [
    '# verify benchmark',
    '',
    `${result.machine.cpu}, ${result.machine.cores} cores, node ${result.machine.node}, ${result.date}, load average ${result.loadAverage.before.join(' ')} (before) / ${result.loadAverage.after.join(' ')} (after)`,
    '',
    '| measurement | ours | raw node:crypto | ratio (median of paired slices) | the same over CPU time |',
    '|---|---|---|---|---|',
    `| verifyBundle vs crypto.verify (${result.verify.wasmBytes}-byte module, re-verification), ops/s | ${result.verify.verifyBundlePerSec} | ${result.verify.rawNodeVerifyPerSec} | ${result.verify.ratio} | ${result.verify.cpuTimeRatio} |`,
    `| the same with the anti-rollback history (import), ops/s | ${result.verify.withAntiRollback.verifyBundlePerSec} | ${result.verify.rawNodeVerifyPerSec} | ${result.verify.withAntiRollback.ratio} | ${result.verify.withAntiRollback.cpuTimeRatio} |`,
    ...hashRows.map((r) => `| sha256Hex ${r.bufferMiB} MiB, MiB/s | ${r.sha256HexMiBps} | ${r.rawCreateHashMiBps} | ${r.ratio} | |`),
    '',
  ].join('\n');

  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/verify.json', `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync('bench/results/verify.md', md);
  console.log(md);
}

main();
