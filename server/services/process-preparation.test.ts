/**
 * The process backend with the services' preparation thread (issue 14): a jailed run's module is
 * instrumented on the preparation thread, not on the thread serving requests (a 130 KB Rust program
 * took about 150 ms of that thread on a cold start), persisted like the worker backend's, reused after
 * a restart, and a module that cannot be metered is still refused with the reason.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openHarness, type Harness } from './test-fixtures';
import { openServices } from './index';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';
import { DEFAULT_INSTRUMENT_WORKER_URL } from './instrument-worker-url';
import { TEST_LICENSE_KEYS } from './test-license';
import { HELLO, wat } from '../core/sandbox/test-modules';
import { program } from '../core/sandbox/test-programs';

const opened: Harness[] = [];
afterEach(async () => {
  for (const h of opened.splice(0)) {
    await h.services.close();
    rmSync(h.dataDir, { recursive: true, force: true });
  }
});
const processHarness = () => {
  const h = openHarness({ backend: 'process', poolSize: 1 });
  opened.push(h);
  return h;
};

describe('process backend: modules prepared off the serving thread', () => {
  it('instruments on the preparation thread, persists the artefact, and a restart reuses it', async () => {
    const h = processHarness();
    const module = h.install(program('wordcount'), { name: 'wordcount', capabilities: ['args', 'environ', 'stdin', 'stdout', 'stderr', 'exit'], limits: { memoryPages: 34 } });
    const r = await h.services.governor.run(module, { args: ['-'], stdin: new TextEncoder().encode('one two three\n') }, 'test');
    expect(r.ok && r.value.record.decision).toBe('allow');
    expect(r.ok && Buffer.from(r.value.stdout).toString()).toBe('1 3 14 -\n');
    expect(r.ok && r.value.record.backend?.kind).toBe('process');
    // Made by the preparation thread (the on-thread path persists nothing).
    expect(readdirSync(join(h.dataDir, 'prepared')).filter((f) => f.startsWith(module.wasmSha256)).sort()).toEqual([
      `${module.wasmSha256}.m34.t65536.json`,
      `${module.wasmSha256}.m34.t65536.wasm`,
      `${module.wasmSha256}.report.json`,
    ]);
    await h.services.close();
    opened.splice(0);

    // Reopened: the persisted artefact is compiled as it is (checked against its own digest first).
    const again = openServices({ dataDir: h.dataDir, backend: 'process', poolSize: 1, workerUrl: DEFAULT_WORKER_URL, instrumentWorkerUrl: DEFAULT_INSTRUMENT_WORKER_URL, licenseKeys: TEST_LICENSE_KEYS });
    try {
      const row = again.modules.latest('wordcount')!;
      const r2 = await again.governor.run(row, { args: ['-'], stdin: new TextEncoder().encode('a b\n') }, 'test');
      expect(r2.ok && Buffer.from(r2.value.stdout).toString()).toBe('1 2 4 -\n');
    } finally {
      await again.close();
      rmSync(h.dataDir, { recursive: true, force: true });
    }
  });

  it('a module the instrumenter refuses is denied with the reason, and the next module still runs', async () => {
    const h = processHarness();
    // Valid and harmless, but it claims the fuel global's name, so it cannot be metered.
    const claims = h.install(wat('(module (global (export "nightcore_fuel") (mut i64) (i64.const 0)) (func (export "_start")))'), { name: 'claims-fuel', capabilities: [] });
    const refused = await h.services.governor.run(claims, {}, 'test');
    if (!refused.ok) throw new Error(refused.message);
    expect(refused.value.record.decision).toBe('deny');
    expect(refused.value.record.execution).toBeNull(); // it never reached a jail
    expect(refused.value.record.pre.summary).toMatch(/cannot meter this module: instrumentation failed \(UNSUPPORTED\): module already exports "nightcore_fuel"/);
    const hello = h.install(HELLO, { name: 'hello', capabilities: ['stdout'] });
    const ran = await h.services.governor.run(hello, {}, 'test');
    expect(ran.ok && Buffer.from(ran.value.stdout).toString()).toBe('hello, world\n');
    expect(existsSync(join(h.dataDir, 'prepared', `${hello.wasmSha256}.report.json`))).toBe(true);
  });
});
