/**
 * Checks that relate sections to each other. They are few and cheap, and each one protects a
 * field we report: a function count that disagrees with the code section, or an export that
 * names a function that does not exist, would make the report describe a module V8 never sees.
 */
import type { ByteReader } from './reader';
import type { ExternKind } from './report';
import type { ModuleFacts } from './sections';

export function checkCrossSection(f: ModuleFacts, r: ByteReader): void {
  // Point at the first of the named sections that exists (the code section may be missing).
  const at = (...sections: string[]): number =>
    sections.map((s) => f.sectionAt[s]).find((o) => o !== undefined) ?? r.pos;
  const declared = f.functionCount ?? 0;
  const bodies = f.codeBodyCount ?? 0;
  if (declared !== bodies) {
    const message = `function and code sections disagree: ${declared} functions declared, ${bodies} bodies`;
    r.fail(message, at('code', 'function'));
  }
  if (f.dataCount !== null && f.dataCount !== (f.dataSegmentCount ?? 0)) {
    const segments = f.dataSegmentCount ?? 0;
    r.fail(`datacount section says ${f.dataCount} segments but the data section has ${segments}`, at('datacount'));
  }

  const space: Record<ExternKind, number> = {
    func: f.importedFunctionCount + declared,
    table: f.tables.length,
    memory: f.memories.length,
    global: f.importedGlobalCount + f.globalCount,
    tag: f.importedTagCount + f.tagCount,
  };
  const seen = new Set<string>();
  for (const e of f.exports) {
    if (seen.has(e.name)) r.fail(`duplicate export name ${JSON.stringify(e.name)}`, at('export'));
    seen.add(e.name);
    if (e.index >= space[e.kind]) {
      const message = `export ${JSON.stringify(e.name)} names ${e.kind} ${e.index}, but only ${space[e.kind]} exist`;
      r.fail(message, at('export'));
    }
  }
  if (f.startFunction !== null && f.startFunction >= space.func) {
    r.fail(`start function ${f.startFunction} does not exist (${space.func} functions)`, at('start'));
  }
}
