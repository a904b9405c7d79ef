/**
 * Test support for group-commit-crash.test.ts (not shipped behaviour): a process that keeps eight
 * governed runs in flight and prints `decided <runId>` the moment each run's result is released
 * to its caller. The test kills it with SIGKILL mid-burst and checks every printed run is on disk.
 *
 *   node bin/run-ts.mjs server/services/test-burst-child.ts
 */
import { HELLO } from '../core/sandbox/test-modules';
import { openHarness } from './test-fixtures';
import { DEFAULT_CHECKPOINT_WORKER_URL } from '../../db/wal-checkpoint-url';

const h = openHarness({ checkpointWorkerUrl: DEFAULT_CHECKPOINT_WORKER_URL });
const module = h.install(HELLO, { name: 'hello', capabilities: ['stdout', 'stderr', 'exit'] });
process.stdout.write(`dataDir ${h.dataDir}\n`);
await Promise.all(
  Array.from({ length: 8 }, async (_, lane) => {
    for (;;) {
      const r = await h.services.governor.run(module, {}, `burst:${lane}`);
      if (!r.ok) {
        process.stdout.write(`failed ${r.code} ${r.message}\n`);
        continue;
      }
      process.stdout.write(`decided ${r.value.record.runId}\n`);
    }
  }),
);
