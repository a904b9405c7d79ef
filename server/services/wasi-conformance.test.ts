/**
 * The official WASI preview1 conformance suite (testdata/wasi-testsuite, 72 tests) through the real
 * run path: each test signed as a bundle with a key generated here, imported through the trust store,
 * and run by the governor (verify → pre-exec → worker sandbox → post-exec → recorded decision) with
 * its args, env and a fresh copy of its `root` folder preopened as `/` (read by the same code as
 * `nightcore run --dir`). Exit code and expected output must match exactly.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openHarness, type Harness } from './test-fixtures';
import { snapshotHostDirs } from './host-dirs';
import { CAPABILITIES } from '../core/module/manifest';
import { WASI_SUITE_CASES } from '../core/sandbox/test-wasi-suite';

const cases = WASI_SUITE_CASES;

/**
 * The shipped default, granting every capability and the suite's variable names. Each test module
 * asks for all ten capabilities, which the threat score rightly counts against it; the threshold is
 * raised so the suite measures WASI semantics, not the score.
 */
function conformancePolicy(dataDir: string): string {
  const policy = JSON.parse(readFileSync(join(__dirname, '../../policies/default.json'), 'utf8'));
  policy.name = 'wasi-conformance';
  policy.capabilities = [...CAPABILITIES];
  policy.pre.threat_threshold.deny_at = 100;
  policy.env = [...new Set(cases.flatMap((c) => Object.keys(c.spec.env ?? {})))].sort();
  const path = join(dataDir, '..', `conformance-policy-${process.pid}.json`);
  writeFileSync(path, JSON.stringify(policy));
  return path;
}

describe('WASI preview1 conformance through the governor (signed bundles, real services)', () => {
  let h: Harness;
  beforeAll(() => {
    const probe = openHarness();
    const policyPath = conformancePolicy(probe.dataDir);
    void probe.services.close();
    h = openHarness({ policyPath });
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('finds all 72 tests', () => {
    expect(cases).toHaveLength(72);
  });

  it.each(cases)('$name', async ({ name, dir, file, spec }) => {
    const module = h.install(new Uint8Array(readFileSync(join(dir, file))), {
      name: name.replace(/[^a-z0-9-]/gi, '-').toLowerCase(),
      capabilities: [...CAPABILITIES],
      limits: { fuel: 1_000_000_000, memoryPages: 1024, wallMs: 5000, outputBytes: 1 << 20 },
    });
    const dirs = snapshotHostDirs(spec.root ? [{ host: join(dir, spec.root), guest: '/' }] : []);
    if (!dirs.ok) throw new Error(dirs.message);
    const ran = await h.services.governor.run(module, { args: spec.args ?? [], env: spec.env ?? {}, dirs: dirs.value, seed: 7n }, 'test:operator');
    if (!ran.ok) throw new Error(`${ran.code}: ${ran.message}`);
    const { record, stdout, stderr } = ran.value;
    expect(record.pre.decision, record.pre.summary).toBe('allow');
    expect(record.execution?.outcome, Buffer.from(stderr).toString()).toEqual({ kind: 'ok', exitCode: spec.exit_code ?? 0 });
    if (spec.stdout !== undefined) expect(Buffer.from(stdout).toString()).toBe(spec.stdout);
    if (spec.stderr !== undefined) expect(Buffer.from(stderr).toString()).toBe(spec.stderr);
    if (spec.root) expect(record.input.dirs?.[0]?.guestPath).toBe('/');
  });
});
