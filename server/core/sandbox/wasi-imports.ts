import type { Capability } from '../module/manifest';
import { HOST_FUNCTION_GRANTS } from './wasi-host.mjs';
import { ABORT_MODULE, ABORT_NAME } from './assemblyscript-abort.mjs';

/**
 * The import allow-list: which `wasi_snapshot_preview1` functions exist in the Night Core host and
 * which capability grants each one. The table is the host's own (wasi-host.mjs builds exactly these
 * functions), so the pre-exec check and the host cannot disagree; a test checks what each grant builds.
 *
 * `baseline` functions are what toolchain start-up code (wasi-libc, Rust std) imports even for a
 * hello world; they expose nothing: there are no preopened directories, stdio is not seekable, and
 * fd_fdstat_get only answers for a stdio descriptor whose capability was granted.
 */
export const WASI_MODULE = 'wasi_snapshot_preview1';
export const FUEL_IMPORT = { module: 'nightcore', name: 'fuel_budget' } as const;
/**
 * AssemblyScript's standard `env.abort`: the one function from outside preview1 the host links
 * (assemblyscript-abort.mjs). Any other import from another module needs a JavaScript host
 * (wasm-bindgen or Emscripten glue) that Night Core does not run.
 */
export const ABORT_IMPORT = { module: ABORT_MODULE, name: ABORT_NAME } as const;

/** Why an import cannot be linked; Guardian's `imports_allowed` explains each code in plain words. */
export type DeniedImportCode = 'needs_js_host' | 'not_a_function' | 'unknown_wasi_function' | 'not_granted' | 'bad_fuel_import';

export type WasiGrant = Capability | 'baseline';

/** The one table (it lives in the worker's plain-JS host, which cannot import TypeScript). */
export const WASI_FUNCTIONS = HOST_FUNCTION_GRANTS as Readonly<Record<string, readonly WasiGrant[]>>;

/** Kinds as reported by our inspector ('func') and by WebAssembly.Module.imports ('function'). */
export type ImportKind = 'func' | 'function' | 'table' | 'memory' | 'global' | 'tag';

export interface ImportDescriptor {
  readonly module: string;
  readonly name: string;
  readonly kind: ImportKind;
}

export interface DeniedImport {
  readonly module: string;
  readonly name: string;
  readonly code: DeniedImportCode;
  readonly reason: string;
}

export interface ImportCheck {
  readonly allowed: boolean;
  readonly denied: readonly DeniedImport[];
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** True when one of `needs` is granted (or the function is baseline). */
function isGranted(needs: readonly WasiGrant[], granted: ReadonlySet<Capability>): boolean {
  return needs.some((need) => need === 'baseline' || granted.has(need));
}

/** The WASI function names a module may import under `capabilities` (what the host will build). */
export function allowedWasiFunctions(capabilities: readonly Capability[]): string[] {
  const granted = new Set(capabilities);
  return Object.keys(WASI_FUNCTIONS).filter((name) => isGranted(WASI_FUNCTIONS[name] ?? [], granted));
}

function denyReason(imp: ImportDescriptor, granted: ReadonlySet<Capability>): { code: DeniedImportCode; reason: string } | null {
  const isFunc = imp.kind === 'func' || imp.kind === 'function';
  if (imp.module === FUEL_IMPORT.module && imp.name === FUEL_IMPORT.name) {
    // Only the instrumenter may add this import; as a global it carries the budget, nothing else.
    return imp.kind === 'global' ? null : { code: 'bad_fuel_import', reason: `${FUEL_IMPORT.module}.${FUEL_IMPORT.name} must be a global` };
  }
  if (imp.module === ABORT_IMPORT.module && imp.name === ABORT_IMPORT.name && isFunc) return null;
  if (imp.module !== WASI_MODULE) {
    return {
      code: 'needs_js_host',
      reason: `imports from "${imp.module}" need a JavaScript host (such as wasm-bindgen or Emscripten glue), which Night Core does not run`,
    };
  }
  if (!isFunc) return { code: 'not_a_function', reason: `imported ${imp.kind} is not provided: the sandbox supplies functions only` };
  if (!hasOwn(WASI_FUNCTIONS, imp.name)) {
    return { code: 'unknown_wasi_function', reason: `${WASI_MODULE}.${imp.name} is not provided by this host` };
  }
  const needs = WASI_FUNCTIONS[imp.name] ?? [];
  if (isGranted(needs, granted)) return null;
  return { code: 'not_granted', reason: `${WASI_MODULE}.${imp.name} needs capability ${needs.map((n) => `"${n}"`).join(' or ')}, which is not granted` };
}

/**
 * The single place that says which imports are linkable (the pool's preflight and Guardian's
 * `imports_allowed` both call it): every import must be provided by the host under the grant.
 * Collects every denial (not just the first) so the explanation names them all. Pure.
 */
export function checkImports(
  imports: readonly ImportDescriptor[],
  capabilities: readonly Capability[],
): ImportCheck {
  const granted = new Set(capabilities);
  const denied: DeniedImport[] = [];
  for (const imp of imports) {
    const why = denyReason(imp, granted);
    if (why !== null) denied.push({ module: imp.module, name: imp.name, ...why });
  }
  return { allowed: denied.length === 0, denied };
}
