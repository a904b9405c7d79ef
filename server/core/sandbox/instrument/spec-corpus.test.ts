import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteReader } from '../../wasm/reader';
import { instrumentModule } from './index';
import { rewriteModule } from './rewrite';
import { inspectWasm } from '../../wasm/inspect';
import { MAX_TABLE_ELEMENTS } from '../../module/manifest';

const SPEC = join(__dirname, '../../../../testdata/spec');
const load = (dir: string) =>
  readdirSync(join(SPEC, dir)).sort().map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(SPEC, dir, name))) }));

/**
 * Independent of the rewriter: does the module declare a memory the instrumenter must refuse
 * (shared, memory64, custom page size, or more than one memory)? Walks only the import and
 * memory sections.
 */
function hasUnsupportedMemory(bytes: Uint8Array): boolean {
  const r = new ByteReader(bytes, 8);
  const memoryFlags: number[] = [];
  while (!r.atEnd()) {
    const id = r.u8();
    const payload = new ByteReader(r.take(r.u32()));
    if (id === 5) {
      for (let n = payload.u32(); n > 0; n--) {
        const flags = payload.u8();
        memoryFlags.push(flags);
        payload.u32();
        if (flags & 1) payload.u32();
      }
    } else if (id === 2) {
      for (let n = payload.u32(); n > 0; n--) {
        payload.name();
        payload.name();
        const kind = payload.u8();
        if (kind === 2) {
          const flags = payload.u8();
          memoryFlags.push(flags);
          if (flags & 0x0e) return true; // cannot skip 64-bit limits with u32 anyway
          payload.u32();
          if (flags & 1) payload.u32();
        } else if (kind === 0) payload.u32();
        else if (kind === 1) {
          payload.u8();
          const flags = payload.u8();
          payload.u32();
          if (flags & 1) payload.u32();
        } else if (kind === 3) { payload.u8(); payload.u8(); } // corpus globals use 1-byte types
        else { payload.u8(); payload.u32(); }
      }
    }
  }
  return memoryFlags.length > 1 || memoryFlags.some((f) => (f & 0x0e) !== 0);
}

describe('spec corpus: valid modules', () => {
  it('every accepted module still validates after instrumentation; refusals are exactly the unsupported features', () => {
    const files = load('valid');
    expect(files.length).toBe(1708);
    const unsupported: string[] = [];
    let accepted = 0;
    const failures: string[] = [];
    const overTableCap: string[] = [];
    for (const { name, bytes } of files) {
      const result = instrumentModule(bytes, { maxMemoryPages: 65536, maxTableElements: MAX_TABLE_ELEMENTS });
      if (result.ok) {
        accepted++;
        if (!WebAssembly.validate(result.value.bytes as Uint8Array<ArrayBuffer>)) failures.push(name);
        const imports = WebAssembly.Module.imports(new WebAssembly.Module(result.value.bytes as Uint8Array<ArrayBuffer>));
        expect(imports.at(-1)).toEqual({ module: 'nightcore', name: 'fuel_budget', kind: 'global' });
      } else if (result.code === 'UNSUPPORTED') {
        unsupported.push(name);
      } else if (result.code === 'LIMIT_EXCEEDED') {
        overTableCap.push(name);
      } else {
        failures.push(`${name}: ${result.code} ${result.message}`);
      }
    }
    console.log(`spec valid/: ${accepted} instrumented, ${unsupported.length} UNSUPPORTED of ${files.length}`);
    expect(failures).toEqual([]);
    const withUnsupportedMemory = files.filter((f) => hasUnsupportedMemory(f.bytes)).map((f) => f.name);
    expect(unsupported).toEqual(withUnsupportedMemory);
    // Valid per the spec but larger than any grant (e.g. a table of 2^32 - 1 elements): refused as a limit.
    const tablesTooBig = files.filter((f) => {
      const report = inspectWasm(f.bytes);
      return report.ok && report.value.tables.filter((t) => !t.imported).reduce((sum, t) => sum + t.initial, 0) > MAX_TABLE_ELEMENTS;
    }).map((f) => f.name);
    expect(overTableCap).toEqual(tablesTooBig);
    expect(overTableCap.length).toBeGreaterThan(0);
    expect(accepted + unsupported.length + overTableCap.length).toBe(files.length);
  });
});

describe('spec corpus: malformed modules', () => {
  it('every malformed file returns an error, never throws', () => {
    const files = load('malformed');
    expect(files.length).toBe(711);
    let caughtByRewriterAlone = 0;
    for (const { name, bytes } of files) {
      const result = instrumentModule(bytes, { maxMemoryPages: 65536 });
      expect(result.ok, name).toBe(false);
      if (!result.ok) expect(['WASM_MALFORMED', 'UNSUPPORTED']).toContain(result.code);
      // The rewriter on its own (without the engine's validation gate) must not throw either.
      const raw = rewriteModule(bytes, { maxMemoryPages: 65536 });
      if (!raw.ok) caughtByRewriterAlone++;
    }
    console.log(`spec malformed/: ${files.length} rejected; ${caughtByRewriterAlone} already by the rewriter's own decoder`);
    expect(caughtByRewriterAlone).toBeGreaterThan(files.length * 0.95);
  });
});
