/**
 * Runs the inspector over the whole WebAssembly spec corpus (testdata/spec). Valid modules must
 * be accepted and their imports/exports must match V8's; invalid and malformed modules must
 * never make it throw. The inspector is not a validator (it skips function bodies), so some
 * malformed files parse; the floor below was measured (696 of 711 rejected, every accepted one
 * being broken only inside a function body or at the validation level) and is asserted so a
 * regression that loosens parsing is caught.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectWasm } from './inspect';

const SPEC = fileURLToPath(new URL('../../../testdata/spec/', import.meta.url));

function load(folder: string): { file: string; bytes: Uint8Array<ArrayBuffer> }[] {
  const dir = join(SPEC, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.wasm'))
    .sort()
    .map((file) => ({ file, bytes: new Uint8Array(readFileSync(join(dir, file))) }));
}

const v8Kind = (k: string) => (k === 'func' ? 'function' : k);
const timings: Record<string, { files: number; ms: number }> = {};

function timed<T>(folder: string, files: number, run: () => T): T {
  const start = performance.now();
  const out = run();
  timings[folder] = { files, ms: performance.now() - start };
  return out;
}

describe('spec corpus', () => {
  it('accepts all 1708 valid modules and agrees with V8 on every import and export', () => {
    const corpus = load('valid');
    expect(corpus).toHaveLength(1708);
    const reports = timed('valid', corpus.length, () => corpus.map((c) => inspectWasm(c.bytes)));
    const rejected = corpus.flatMap((c, i) => {
      const r = reports[i]!;
      return r.ok ? [] : [`${c.file}: ${r.message}`];
    });
    expect(rejected).toEqual([]);

    let imports = 0;
    let exports = 0;
    corpus.forEach(({ file, bytes }, i) => {
      const r = reports[i]!;
      if (!r.ok) return;
      const m = new WebAssembly.Module(bytes);
      const ours = {
        imports: r.value.imports.map((x) => ({ module: x.module, name: x.name, kind: v8Kind(x.kind) })),
        exports: r.value.exports.map((x) => ({ name: x.name, kind: v8Kind(x.kind) })),
      };
      const theirs = { imports: WebAssembly.Module.imports(m), exports: WebAssembly.Module.exports(m) };
      expect(ours, file).toEqual(theirs);
      expect(r.value.sizeBytes).toBe(bytes.length);
      imports += ours.imports.length;
      exports += ours.exports.length;
    });
    console.log(`valid: ${corpus.length} accepted, ${imports} imports and ${exports} exports match V8`);
    expect(exports).toBeGreaterThan(1000);
    expect(imports).toBeGreaterThan(100);
  });

  it('never throws on the 2573 invalid modules', () => {
    const corpus = load('invalid');
    expect(corpus).toHaveLength(2573);
    const results = timed('invalid', corpus.length, () => corpus.map((c) => inspectWasm(c.bytes)));
    const rejected = results.filter((r) => !r.ok);
    for (const r of rejected) if (!r.ok) expect(r.code).toBe('WASM_MALFORMED');
    // Invalid modules are well formed by definition; rejecting them is a bonus, not a goal.
    console.log(`invalid: ${rejected.length} of ${corpus.length} rejected by the inspector`);
  });

  it('never throws on the 711 malformed modules and rejects at least the measured floor', () => {
    const corpus = load('malformed');
    expect(corpus).toHaveLength(711);
    const results = timed('malformed', corpus.length, () => corpus.map((c) => inspectWasm(c.bytes)));
    const accepted = corpus.filter((_, i) => results[i]!.ok).map((c) => c.file);
    for (const r of results) if (!r.ok) expect(r.message).toMatch(/\(at byte \d+\)/);
    // V8 rejects every one of these (see testdata/spec/README.md); accepted ones are checked against it.
    for (const file of accepted) {
      const bytes = corpus.find((c) => c.file === file)!.bytes;
      expect(WebAssembly.validate(bytes), file).toBe(false);
    }
    console.log(`malformed: ${corpus.length - accepted.length} of ${corpus.length} rejected; accepted: ${accepted.join(' ')}`);
    expect(corpus.length - accepted.length).toBeGreaterThanOrEqual(696);
  });

  // Timing is printed, never asserted (shared CI cores make wall time meaningless as a pass/fail).
  afterAll(() => {
    let files = 0;
    let ms = 0;
    for (const [folder, t] of Object.entries(timings)) {
      console.log(`inspect ${folder}: ${t.files} files in ${t.ms.toFixed(1)} ms`);
      files += t.files;
      ms += t.ms;
    }
    console.log(`inspect total: ${files} files in ${ms.toFixed(1)} ms`);
  });
});
