/**
 * Two checkouts' verifyBundle side by side in ONE process, with raw crypto.verify of the same
 * signature as the yardstick (a driver, not a bench with recorded results):
 *   node bin/run-ts.mjs bench/verify-ab.ts <treeA> <treeB> [rounds=15] [sliceMs=200]
 * Each tree verifies its own bundle of the hello module (its own sources, so its own caches), signed
 * by the same key. Slices of raw, A and B take turns in a rotating order, so a change in machine load
 * hits all three alike. Prints each one's median verifies/s and the median per-round A/raw, B/raw,
 * B/A, over wall time and over the process's CPU time.
 */
import os from 'node:os';
import { createPublicKey, verify } from 'node:crypto';
import { resolve } from 'node:path';

const [A, B] = [resolve(process.argv[2] ?? ''), resolve(process.argv[3] ?? '')];
if (!process.argv[3]) {
  console.error('usage: verify-ab.ts <treeA> <treeB> [rounds=15] [sliceMs=200]');
  process.exit(2);
}
const rounds = Number(process.argv[4] ?? 15);
const sliceMs = Number(process.argv[5] ?? 200);

interface Tree {
  verifyBundle(input: unknown, ctx: unknown): { ok: boolean };
}
const support = await import(`${A}/server/core/module/test-support.ts`);
const { preAuthEncoding } = await import(`${A}/server/core/module/dsse.ts`);
const key = support.newKey();
const ctx = support.context([support.trusted(key, 'publisher')]);
const bundle = support.signedBundle(support.HELLO_WASM, [key]);
const envelope = JSON.parse(bundle.envelopeText) as { payloadType: string; payload: string; signatures: { sig: string }[] };
const pae = preAuthEncoding(envelope.payloadType, new Uint8Array(Buffer.from(envelope.payload, 'base64')));
const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
const keyObject = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.publicKey).toString('base64url') }, format: 'jwk' });

const trees = [(await import(`${A}/server/core/module/verify.ts`)) as Tree, (await import(`${B}/server/core/module/verify.ts`)) as Tree];
const contenders: (() => boolean)[] = [
  () => verify(null, pae, keyObject, sig),
  () => trees[0]!.verifyBundle(bundle, ctx).ok,
  () => trees[1]!.verifyBundle(bundle, ctx).ok,
];
for (const run of contenders) if (!run()) throw new Error('a contender failed to verify the bundle');

/** Calls per second of wall time and of this process's CPU time. */
function rate(fn: () => boolean, ms: number): [number, number] {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let calls = 0;
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    calls += 100;
  }
  const cpu = process.cpuUsage(cpuStart);
  return [calls / ((performance.now() - start) / 1000), calls / ((cpu.user + cpu.system) / 1e6)];
}
for (const run of contenders) rate(run, 300); // warm-up
const rates: [number, number][][] = [[], [], []];
for (let round = 0; round < rounds; round++) {
  for (let j = 0; j < 3; j++) {
    const k = (round + j) % 3;
    rates[k]!.push(rate(contenders[k]!, sliceMs));
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
// Ratios are medians of each round's own ratio: a round's slices ran back to back, so pairing them
// cancels load changes between rounds better than a ratio of medians does.
const paired = (x: number, y: number, i: 0 | 1) => median(rates[x]!.map((r, round) => r[i] / rates[y]![round]![i])).toFixed(3);
for (const [clock, i] of [['wall time', 0], ['CPU time', 1]] as const) {
  const [raw, a, b] = rates.map((rs) => median(rs.map((r) => r[i]))) as [number, number, number];
  console.log(
    `${clock}: raw ${raw.toFixed(0)}/s; A ${A}: ${a.toFixed(0)}/s (${paired(1, 0, i)}x raw); B ${B}: ${b.toFixed(0)}/s (${paired(2, 0, i)}x raw); B/A ${paired(2, 1, i)}`,
  );
}
console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
