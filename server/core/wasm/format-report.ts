/**
 * Short human-readable rendering of a WasmReport, for `nightcore inspect`. Names from the module
 * are attacker-chosen, so they are quoted with every control or format character escaped:
 * terminal escapes or bidi overrides in an import name must not reach the operator's terminal raw.
 */
import type { WasmMemory, WasmReport, WasmTable } from './report';

// \p{C} covers C0/C1 controls (ESC, CSI 0x9b), bidi overrides and other invisible format chars.
const UNPRINTABLE = /[\p{C}"\\]/gu;
const q = (s: string): string =>
  `"${s.replace(UNPRINTABLE, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\u{${c.codePointAt(0)!.toString(16)}}`))}"`;

function limits(initial: number, maximum: number | null, unit: string): string {
  return `${initial}..${maximum === null ? 'unbounded' : maximum} ${unit}`;
}

function memoryLine(m: WasmMemory, i: number): string {
  const flags = [m.imported ? 'imported' : 'defined', m.shared ? 'shared' : '', m.memory64 ? 'memory64' : '']
    .filter(Boolean)
    .join(', ');
  return `  memory ${i}: ${limits(m.initialPages, m.maximumPages, 'pages')} (${flags})`;
}

function tableLine(t: WasmTable, i: number): string {
  return `  table ${i}: ${t.elementType} ${limits(t.initial, t.maximum, 'elements')} (${t.imported ? 'imported' : 'defined'})`;
}

export function formatReport(report: WasmReport): string {
  const lines: string[] = [];
  lines.push(`WebAssembly module, version ${report.version}, ${report.sizeBytes} bytes`);
  lines.push(
    `functions: ${report.functionCount} defined, ${report.importedFunctionCount} imported; ` +
      `code ${report.codeSizeBytes} bytes; globals: ${report.globalCount} defined`,
  );
  lines.push(`start function: ${report.startFunction === null ? 'none' : report.startFunction}`);

  lines.push(`imports (${report.imports.length}):`);
  for (const i of report.imports) lines.push(`  ${i.kind} ${q(i.module)} ${q(i.name)}`);
  lines.push(`exports (${report.exports.length}):`);
  for (const e of report.exports) lines.push(`  ${e.kind} ${q(e.name)} -> ${e.kind} ${e.index}`);

  lines.push(`memories (${report.memories.length}):`);
  report.memories.forEach((m, i) => lines.push(memoryLine(m, i)));
  lines.push(`tables (${report.tables.length}):`);
  report.tables.forEach((t, i) => lines.push(tableLine(t, i)));

  lines.push(`data: ${report.dataSegmentCount} segments, ${report.dataSizeBytes} bytes`);
  const totals = report.customSectionTotals;
  lines.push(`custom sections (${totals.count}, ${totals.sizeBytes} bytes):`);
  for (const c of report.customSections) lines.push(`  ${q(c.name)} ${c.sizeBytes} bytes`);
  const unlisted = totals.count - report.customSections.length;
  if (unlisted > 0) lines.push(`  ... and ${unlisted} more (not listed)`);
  return lines.join('\n');
}
