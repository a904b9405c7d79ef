import type { Capability } from '../module/manifest';
import { HOST_FUNCTION_GRANTS } from './wasi-grants.mjs';
import { ABORT_MODULE, ABORT_NAME } from './assemblyscript-abort.mjs';

/**
 * The 46 `wasi_snapshot_preview1` functions and which capability makes each one useful. The host
 * links all of them in every run and enforces the grant at each call (a refused call returns an
 * errno and is recorded as a capability denial), so whether a module can be linked never depends on
 * the grant. The table is the host's own (wasi-grants.mjs), so this check and the host cannot disagree.
 *
 * `baseline` functions expose nothing by themselves (descriptor bookkeeping, a yield, a virtual
 * sleep, a trap). Functions with no grant at all are the sockets: there is no network, ever.
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
export type DeniedImportCode = 'needs_js_host' | 'not_a_function' | 'unknown_wasi_function' | 'bad_fuel_import';

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

/** The WASI functions that can do something under `capabilities` (all 46 are linked regardless). */
export function allowedWasiFunctions(capabilities: readonly Capability[]): string[] {
  const granted = new Set(capabilities);
  return Object.keys(WASI_FUNCTIONS).filter((name) => isGranted(WASI_FUNCTIONS[name] ?? [], granted));
}

function denyReason(imp: ImportDescriptor): { code: DeniedImportCode; reason: string } | null {
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
    return { code: 'unknown_wasi_function', reason: `${WASI_MODULE}.${imp.name} is not a WASI preview1 function` };
  }
  // Every preview1 function links: what it may do is the grant, checked when it is called.
  return null;
}

/**
 * The single place that says which imports are linkable (the backend-neutral request checks and
 * Guardian's `imports_allowed` both call it): any of the 46 preview1 functions whatever the grant,
 * AssemblyScript's `env.abort`, and the instrumenter's fuel global; nothing else. Collects every
 * denial (not just the first) so the explanation names them all. Pure.
 */
export function checkImports(imports: readonly ImportDescriptor[]): ImportCheck {
  const denied: DeniedImport[] = [];
  for (const imp of imports) {
    const why = denyReason(imp);
    if (why !== null) denied.push({ module: imp.module, name: imp.name, ...why });
  }
  return { allowed: denied.length === 0, denied };
}
