// @ts-check
/**
 * The run a sandbox thread makes on itself before it says it is ready (see ../warm-up-module.mjs):
 * the thread's first run compiles the sandbox's own JavaScript, about 25 ms that would otherwise land
 * on the first user's run of every new thread (and of every replacement after a timeout or crash).
 */
import { runModule } from '../run-module.mjs';
import { WARM_UP_OUTPUT, WARM_UP_RUNNABLE } from '../warm-up-module.mjs';

/**
 * Runs the warm-up module once and returns its report. Throws if it did not end as expected, since
 * then no run on this thread would: the thread dies before `ready`, and the pool reports that the
 * sandbox failed to start, with this message.
 * @returns {import('../run-module.mjs').RunReport}
 */
export function warmUp() {
  const report = runModule({
    module: new WebAssembly.Module(WARM_UP_RUNNABLE),
    entry: '_start',
    memoryExport: 'memory',
    fuelBudget: 1000,
    memoryPagesCap: 1,
    capabilities: ['stdout'],
    args: [],
    env: {},
    stdin: new Uint8Array(0),
    seed: 0n,
    outputBytes: 64,
    preopens: [],
    invoke: null,
  });
  const out = Buffer.from(report.stdout).toString('utf8');
  if (report.outcome.kind !== 'ok' || out !== WARM_UP_OUTPUT) {
    throw new Error(`the sandbox's warm-up run failed: ${JSON.stringify(report.outcome)}, stdout ${JSON.stringify(out)}`);
  }
  return report;
}
