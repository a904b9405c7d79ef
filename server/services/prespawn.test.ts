/**
 * When the services start the sandbox's executors (issue 14): a console (prespawn true) starts every
 * one when it opens, so the first run of a module imported later starts none; a command about to
 * run (a number) starts that many; anything else starts one, on its first run. A start that fails
 * still fails with its reason.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHarness, type Harness } from './test-fixtures';
import { openServices, ServiceStartError } from './index';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';
import { HELLO, variant } from '../core/sandbox/test-modules';

const FIELDS = { name: 'hello', capabilities: ['stdout', 'stderr', 'exit'] as ('stdout' | 'stderr' | 'exit')[] };
const opened: Harness[] = [];
const harness = (options: Parameters<typeof openHarness>[0]) => {
  const h = openHarness(options);
  opened.push(h);
  return h;
};
afterEach(async () => {
  for (const h of opened.splice(0)) {
    await h.services.close();
    rmSync(h.dataDir, { recursive: true, force: true });
  }
});

const executors = (h: Harness) => h.services.backend().stats().detail.executors;
const replaced = (h: Harness) => h.services.backend().stats().detail.replaced;

describe('services: executors started ahead of runs', () => {
  it('a console starts every executor when it opens; a module imported later runs without starting one', async () => {
    const h = harness({ poolSize: 2, prespawn: true });
    expect(h.services.metrics.render()).toMatch(/^nightcore_sandbox_capacity 2$/m); // the backend is open before any run...
    expect(executors(h)).toBe(2); // ...with all its executors
    const module = h.install(variant(HELLO, 'imported-later'), FIELDS);
    const r = await h.services.governor.run(module, {}, 'test');
    expect(r.ok && r.value.record.decision).toBe('allow');
    expect(r.ok && Buffer.from(r.value.stdout).toString()).toBe('hello, world\n');
    expect(executors(h)).toBe(2);
    expect(replaced(h)).toBe(0);
  });

  it('a command about to run starts the given number at open; otherwise one starts on the first run', async () => {
    const command = harness({ poolSize: 2, prespawn: 1 });
    expect(command.services.metrics.render()).toMatch(/^nightcore_sandbox_capacity 2$/m);
    expect(executors(command)).toBe(1);

    const lazy = harness({ poolSize: 2 });
    expect(lazy.services.metrics.render()).not.toMatch(/^nightcore_sandbox_capacity /m); // nothing started by opening
    const module = lazy.install(HELLO, FIELDS);
    const r = await lazy.services.governor.run(module, {}, 'test');
    expect(r.ok && r.value.record.decision).toBe('allow');
    expect(executors(lazy)).toBe(1);
  });

  it('a start that fails (an unreadable policy) still fails with its reason when executors started first', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nightcore-prespawn-'));
    try {
      const policyPath = join(dataDir, 'bad.json');
      writeFileSync(policyPath, '{ "not": "a policy" }');
      let error: unknown;
      try {
        openServices({ dataDir, policyPath, poolSize: 2, prespawn: true, workerUrl: DEFAULT_WORKER_URL });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ServiceStartError);
      expect((error as ServiceStartError).code).toBe('POLICY_INVALID');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
