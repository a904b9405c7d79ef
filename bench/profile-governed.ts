/**
 * Profiling driver (not a bench): warm governed runs of the hello module, for
 * `node --cpu-prof --cpu-prof-dir=DIR bin/run-ts.mjs bench/profile-governed.ts [runs] [inFlight]`.
 * The top costs it showed are recorded in bench/README.md ("Where a governed run's time goes").
 */
import os from 'node:os';
import { rmSync } from 'node:fs';
import { HELLO } from '../server/core/sandbox/test-modules';
import { openHarness } from '../server/services/test-fixtures';
import { DEFAULT_CHECKPOINT_WORKER_URL } from '../db/wal-checkpoint-url';

const runs = Number(process.argv[2] ?? 3000);
const inFlight = Number(process.argv[3] ?? 1);
const h = openHarness({ poolSize: os.availableParallelism(), checkpointWorkerUrl: DEFAULT_CHECKPOINT_WORKER_URL });
const module = h.install(HELLO, { name: 'hello', capabilities: ['stdout', 'stderr', 'exit'] });
const once = async (actor: string) => {
  const r = await h.services.governor.run(module, {}, actor);
  if (!r.ok || r.value.record.decision !== 'allow') throw new Error(`run failed: ${JSON.stringify(r.ok ? [r.value.record.pre.summary, r.value.record.execution, r.value.record.post] : r)}`);
};
for (let i = 0; i < 300; i++) await once('warm');
let issued = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: inFlight }, async (_, lane) => { while (issued++ < runs) await once(`p:${lane}`); }));
const s = (performance.now() - t0) / 1000;
console.log(`${runs} runs, ${inFlight} in flight: ${Math.round(runs / s)} runs/s`);
await h.services.close();
rmSync(h.dataDir, { recursive: true, force: true });
