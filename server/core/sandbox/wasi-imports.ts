import type { Capability } from '../module/manifest';
import { HOST_FUNCTION_GRANTS } from './wasi-host.mjs';

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

function denyReason(imp: ImportDescriptor, granted: ReadonlySet<Capability>): string | null {
  const isFunc = imp.kind === 'func' || imp.kind === 'function';
  if (imp.module === FUEL_IMPORT.module && imp.name === FUEL_IMPORT.name) {
    // Only the instrumenter may add this import; as a global it carries the budget, nothing else.
    return imp.kind === 'global' ? null : `${FUEL_IMPORT.module}.${FUEL_IMPORT.name} must be a global`;
  }
  if (imp.module !== WASI_MODULE) {
    return `imports from "${imp.module}" are not provided: only ${WASI_MODULE} functions may be imported`;
  }
  if (!isFunc) return `imported ${imp.kind} is not provided: the sandbox supplies functions only`;
  if (!hasOwn(WASI_FUNCTIONS, imp.name)) {
    return `${WASI_MODULE}.${imp.name} is not provided (no filesystem, network, sockets or polling)`;
  }
  const needs = WASI_FUNCTIONS[imp.name] ?? [];
  if (isGranted(needs, granted)) return null;
  return `${WASI_MODULE}.${imp.name} needs capability ${needs.map((n) => `"${n}"`).join(' or ')}, which is not granted`;
}

/**
 * Pre-exec import check: every import must be provided by the host under the granted capabilities.
 * Collects every denial (not just the first) so the explanation names them all. Pure.
 */
export function checkImports(
  imports: readonly ImportDescriptor[],
  capabilities: readonly Capability[],
): ImportCheck {
  const granted = new Set(capabilities);
  const denied: DeniedImport[] = [];
  for (const imp of imports) {
    const reason = denyReason(imp, granted);
    if (reason !== null) denied.push({ module: imp.module, name: imp.name, reason });
  }
  return { allowed: denied.length === 0, denied };
}
