/**
 * The `imports_allowed` pre-exec rule. What a module may *do* is enforced at each WASI call (the
 * grant), so importing a preview1 function is not by itself a risk: by default every one the host
 * links is fine. Refused before running:
 * - imports the host cannot link at all (checkImports in the sandbox decides; this rule explains):
 *   anything from another module than wasi_snapshot_preview1 means the module was built for a
 *   JavaScript host (wasm-bindgen, Emscripten glue), except AssemblyScript's standard `env.abort`;
 * - preview1 functions the policy lists in `deny_functions` (a strict policy may refuse `sock_*`).
 */
import type { WasmReport } from '../wasm/report';
import { functionMatches } from './preview1-functions';
import { fail, listForSentence, pass, type Check } from './verdict';

const WASI_MODULE = 'wasi_snapshot_preview1';
/** Names in an explanation: enough to act on, bounded so a module cannot flood the record. */
const MAX_NAMED = 20;

export interface UnlinkableImport {
  readonly module: string;
  readonly name: string;
  readonly reason: string;
}

export interface ImportsRuleSettings {
  readonly deny_functions: readonly string[];
}

const qualified = (i: { module: string; name: string }): string => `${i.module}.${i.name}`;

export function checkImportsAllowed(rule: ImportsRuleSettings, report: WasmReport, unlinkable: readonly UnlinkableImport[]): Check {
  const foreign = unlinkable.filter((d) => d.module !== WASI_MODULE);
  const badWasi = unlinkable.filter((d) => d.module === WASI_MODULE);
  const refused = report.imports.filter(
    (i) => i.module === WASI_MODULE && rule.deny_functions.some((pattern) => functionMatches(pattern, i.name)),
  );
  const problems: string[] = [];
  if (foreign.length > 0) {
    const modules = [...new Set(foreign.map((d) => `"${d.module}"`))];
    problems.push(
      `The module imports ${foreign.length} function(s) from outside WASI (${listForSentence(foreign.map(qualified), MAX_NAMED)}) ` +
        `from ${listForSentence(modules, MAX_NAMED)}: it was built for a JavaScript host (such as wasm-bindgen or Emscripten glue), ` +
        'which Night Core does not run.',
    );
  }
  if (badWasi.length > 0) {
    const reasons = badWasi.slice(0, MAX_NAMED).map((d) => d.reason);
    problems.push(`The sandbox cannot link ${badWasi.length} WASI import(s): ${listForSentence(reasons, MAX_NAMED)}.`);
  }
  if (refused.length > 0) {
    problems.push(
      `This policy refuses these WASI functions before running: ${listForSentence([...new Set(refused.map((i) => i.name))], MAX_NAMED)}.`,
    );
  }
  if (problems.length > 0) return fail(problems.join(' '));

  const wasiCount = report.imports.filter((i) => i.module === WASI_MODULE).length;
  const abort = report.imports.some((i) => i.module === 'env' && i.name === 'abort');
  return pass(
    `The module imports ${wasiCount} WASI function(s), each checked against the grant when it is called` +
      (abort ? ", and AssemblyScript's env.abort, which ends the run with the module's message." : '.'),
  );
}
