/**
 * The threads' warm-up modules (warm-up-module.mjs): the bytes are their WAT, the sandbox's warm-up
 * run succeeds with its output, and the preparation thread's module is one the instrumenter accepts.
 */
import { describe, it, expect } from 'vitest';
import { wat } from '../wasm/test-wat';
import { WARM_UP_OUTPUT, WARM_UP_PLAIN, WARM_UP_PLAIN_WAT, WARM_UP_RUNNABLE, WARM_UP_RUNNABLE_WAT } from './warm-up-module.mjs';
import { warmUp } from './worker-threads/warm-up.mjs';
import { prepareJob } from './instrument/prepare-job';

describe('warm-up modules', () => {
  it('are the compiled WAT they document', () => {
    expect([...WARM_UP_PLAIN]).toEqual([...wat(WARM_UP_PLAIN_WAT)]);
    expect([...WARM_UP_RUNNABLE]).toEqual([...wat(WARM_UP_RUNNABLE_WAT)]);
  });

  it('the sandbox warm-up run ends ok with its output, within the tiny budget it grants', () => {
    const report = warmUp();
    expect(report.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(Buffer.from(report.stdout).toString()).toBe(WARM_UP_OUTPUT);
    expect(report.capabilityDenials).toEqual([]);
    expect(report.recycle).toBe(false);
  });

  it('the preparation warm-up is inspected, instrumented and compiled, and then runs metered', () => {
    const r = prepareJob({ wasm: WARM_UP_PLAIN, caps: { maxMemoryPages: 1, maxTableElements: 0 }, artefact: null, inspect: true });
    if (!r.ok) throw new Error(r.message);
    expect(r.value.report?.exports.map((e) => e.name).sort()).toEqual(['_start', 'memory']);
    expect(WebAssembly.Module.exports(r.value.module!).map((e) => e.name)).toContain('nightcore_fuel');
  });
});
