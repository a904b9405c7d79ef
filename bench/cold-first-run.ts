/**
 * Child of bench/cold.bench.ts (not a bench by itself): one process, one console start, one first run.
 * `node bin/run-ts.mjs bench/cold-first-run.ts <tree root> <backend> <workload id>` prints one JSON line:
 * how long the services took to open (console options), then, after the console sat idle SETTLE_MS,
 * the first run of a newly imported module: the process's very first governed run, on main-thread
 * code nothing has run yet, as in a console that has just started.
 */
import os from 'node:os';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SETTLE_MS, consoleHarness, importNew, loadTree, timedRun, type Backend } from './cold-workloads';

const [root, backend, id] = process.argv.slice(2) as [string, Backend, string];
const tree = await loadTree(root);
const w = tree.workloads.find((x) => x.id === id);
if (!w) throw new Error(`no workload ${id}`);
const t = performance.now();
const h = consoleHarness(tree, backend, os.availableParallelism());
const openMs = performance.now() - t;
await sleep(SETTLE_MS);
const first = await timedRun(h, importNew(tree, h, w), w);
await h.services.close();
rmSync(h.dataDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ openMs, ...first })}\n`);
