/**
 * Regression (issue 8): a valid module made of millions of empty custom sections made the report
 * (and `inspect --json`) grow with the count, up to 4 GB and a crash. The report is bounded now.
 */
import { describe, it, expect } from 'vitest';
import { inspectWasm } from './inspect';
import { REPORT_BOUNDS, type WasmReport } from './report';
import { HEADER, module, name, section } from './test-wat';
import { evaluatePre } from '../guardian/pre';
import { benignPre, policy } from '../guardian/test-fixtures';

/** `count` empty custom sections (3 bytes each: id 0, size 1, empty name), built without a JS array per byte. */
function manyCustomSections(count: number, withName = ''): Uint8Array {
  const named = withName ? section(0, name(withName)) : [];
  const bytes = new Uint8Array(HEADER.length + count * 3 + named.length);
  bytes.set(HEADER);
  for (let i = 0; i < count; i++) bytes.set([0x00, 0x01, 0x00], HEADER.length + i * 3);
  bytes.set(named, HEADER.length + count * 3);
  return bytes;
}

function inspectOk(bytes: Uint8Array): WasmReport {
  const r = inspectWasm(bytes);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('inspector report bounds', () => {
  it('lists a bounded number of custom sections and counts the rest', () => {
    const count = 2_000_000; // a 6 MB valid module
    const bytes = manyCustomSections(count);
    expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
    const report = inspectOk(bytes);
    expect(report.customSections).toHaveLength(REPORT_BOUNDS.listedCustomSections);
    expect(report.customSectionTotals).toEqual({ count, sizeBytes: count });
    // The whole report stays small whatever the count.
    expect(JSON.stringify(report).length).toBeLessThan(8 * 1024);
  });

  it('cuts long names from the module, so a name cannot make the report large either', () => {
    const long = 'x'.repeat(100_000);
    const bytes = module(
      section(1, [1, 0x60, 0, 0]),
      section(2, [1, ...name(long), ...name(long), 0x00, 0x00]),
      section(0, name(long)),
    );
    const report = inspectOk(bytes);
    expect(report.imports[0]!.module).toBe(`${'x'.repeat(REPORT_BOUNDS.nameChars)}…`);
    expect(report.imports[0]!.name).toHaveLength(REPORT_BOUNDS.nameChars + 1);
    expect(report.customSections[0]!.name).toHaveLength(REPORT_BOUNDS.nameChars + 1);
    expect(report.customSectionTotals.sizeBytes).toBe(name(long).length);
  });

  it('fails custom_sections closed when a deny list cannot see every name', () => {
    const report = inspectOk(manyCustomSections(REPORT_BOUNDS.listedCustomSections + 1, 'secret'));
    expect(report.customSections.some((s) => s.name === 'secret')).toBe(false);
    const withDenyList = evaluatePre(policy({ pre: { custom_sections: { deny_names: ['secret'] } } }), benignPre({ report }));
    expect(withDenyList.decision).toBe('deny');
    expect(withDenyList.rules.find((r) => r.id === 'custom_sections')?.explanation).toMatch(/66 custom sections, too many to check every name/);
    // Without a deny list, only the total size matters (and the totals include unlisted sections).
    const sizeOnly = evaluatePre(policy({ pre: { custom_sections: { max_total_bytes: 70 } } }), benignPre({ report }));
    expect(sizeOnly.rules.find((r) => r.id === 'custom_sections')?.explanation).toMatch(/carries 7\d bytes of custom sections; this policy allows at most 70/);
  });
});
