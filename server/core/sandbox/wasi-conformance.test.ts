import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, lstatSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { instrumentModule } from './instrument';
import { runModule } from './run-module.mjs';
import type { Preopen, TreeEntry } from './types';
import { CAPABILITIES } from '../module/manifest';
import { WASI_SUITE_CASES, type WasiSuiteCase } from './test-wasi-suite';

/**
 * The official WASI preview1 conformance suite (testdata/wasi-testsuite, see its PROVENANCE.md):
 * all 72 prebuilt tests, each run directly against the sandbox (instrumented, fuel-metered, every
 * capability granted) with the spec's args and env and a fresh in-memory copy of its `root`
 * preopened as `/`; exit code and any expected stdout/stderr must match exactly.
 */
/** A host folder as the sandbox's flat entry list (the suite's fixtures hold files and folders). */
function snapshot(dir: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const full = join(at, name);
      const path = relative(dir, full).split('\\').join('/');
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out.push({ path, kind: 'symlink', target: readlinkSync(full) });
      else if (st.isDirectory()) {
        out.push({ path, kind: 'dir' });
        walk(full);
      } else out.push({ path, kind: 'file', data: new Uint8Array(readFileSync(full)) });
    }
  };
  walk(dir);
  return out;
}

const cases = WASI_SUITE_CASES;

function runCase({ dir, file, spec }: WasiSuiteCase) {
  const inst = instrumentModule(new Uint8Array(readFileSync(join(dir, file))), { maxMemoryPages: 1024 });
  if (!inst.ok) throw new Error(inst.message);
  const preopens: Preopen[] = spec.root ? [{ guestPath: '/', entries: snapshot(join(dir, spec.root)) }] : [];
  const report = runModule({
    module: new WebAssembly.Module(inst.value.bytes as BufferSource),
    entry: '_start',
    memoryExport: inst.value.memoryExport,
    fuelBudget: 20_000_000_000,
    memoryPagesCap: 1024,
    capabilities: [...CAPABILITIES],
    args: [file, ...(spec.args ?? [])],
    env: spec.env ?? {},
    stdin: new Uint8Array(0),
    seed: 7n,
    outputBytes: 1 << 20,
    preopens,
  });
  return { spec, report };
}

describe('WASI preview1 conformance (WebAssembly/wasi-testsuite, 72 prebuilt tests)', () => {
  it('finds all 72 tests', () => {
    expect(cases).toHaveLength(72);
  });

  it.each(cases)('$name', (c) => {
    const { spec, report } = runCase(c);
    const stderr = new TextDecoder().decode(report.stderr);
    expect(report.outcome, stderr).toEqual({ kind: 'ok', exitCode: spec.exit_code ?? 0 });
    if (spec.stdout !== undefined) expect(new TextDecoder().decode(report.stdout)).toBe(spec.stdout);
    if (spec.stderr !== undefined) expect(stderr).toBe(spec.stderr);
  });
});
