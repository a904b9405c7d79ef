/**
 * Two checkouts side by side in ONE process (a driver, not a bench with recorded results):
 *   node bin/run-ts.mjs bench/governed-ab.ts <treeA> <treeB> [rounds] [batch] [inFlight]
 * Each tree's services are opened from its own sources (with its own node_modules) and given the
 * same hello module; batches of warm governed runs alternate between A and B (ABBA order), so a
 * change in machine load hits both alike. Prints each side's median runs/s and B/A. On a shared
 * host this is the comparison to trust; separate bench runs minutes apart are not (bench/README.md,
 * "Issue 14: the warm path by stage").
 */
import os from 'node:os';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

const [A, B] = [resolve(process.argv[2] ?? ''), resolve(process.argv[3] ?? '')];
if (!process.argv[3]) {
  console.error('usage: governed-ab.ts <treeA> <treeB> [rounds=12] [batch=300] [inFlight=1]');
  process.exit(2);
}
const rounds = Number(process.argv[4] ?? 12);
const batch = Number(process.argv[5] ?? 300);
const inFlight = Number(process.argv[6] ?? 1);

async function open(tree: string) {
  const { HELLO } = await import(`${tree}/server/core/sandbox/test-modules.ts`);
  const { openHarness } = await import(`${tree}/server/services/test-fixtures.ts`);
  const { DEFAULT_CHECKPOINT_WORKER_URL } = await import(`${tree}/db/wal-checkpoint-url.ts`);
  const h = openHarness({ poolSize: os.availableParallelism(), checkpointWorkerUrl: DEFAULT_CHECKPOINT_WORKER_URL });
  const module = h.install(HELLO, { name: 'hello', capabilities: ['stdout', 'stderr', 'exit'] });
  // Older trees called the governor `pipeline`.
  const governor = (h.services as { governor?: unknown; pipeline?: unknown }).governor ?? (h.services as { pipeline: unknown }).pipeline;
  const runner = governor as { run(m: unknown, input: object, actor: string): Promise<{ ok: boolean; value?: { record: { decision: string } } }> };
  const once = async (actor: string) => {
    const r = await runner.run(module, {}, actor);
    if (!r.ok || r.value?.record.decision !== 'allow') throw new Error(`${tree}: run failed`);
  };
  return { h, once };
}

const sides = [await open(A), await open(B)];
for (const side of sides) for (let i = 0; i < 300; i++) await side.once('warm');
const rates: [number[], number[]] = [[], []];
for (let round = 0; round < rounds; round++) {
  for (const k of round % 2 ? [1, 0] : [0, 1]) {
    let issued = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: inFlight }, async (_, lane) => { while (issued++ < batch) await sides[k]!.once(`lane:${lane}`); }));
    rates[k as 0 | 1].push(batch / ((performance.now() - t0) / 1000));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const [a, b] = [median(rates[0]), median(rates[1])];
console.log(`A ${A}: ${a.toFixed(0)} runs/s; B ${B}: ${b.toFixed(0)} runs/s; B/A ${(b / a).toFixed(3)} (${inFlight} in flight, load average ${os.loadavg()[0]!.toFixed(2)})`);
for (const side of sides) {
  await side.h.services.close();
  rmSync(side.h.dataDir, { recursive: true, force: true });
}
