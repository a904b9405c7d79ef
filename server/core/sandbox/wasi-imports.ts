import type { Capability } from '../module/manifest';
import { HOST_FUNCTION_GRANTS } from './wasi-grants.mjs';

/**
 * The 46 `wasi_snapshot_preview1` functions and which capability makes each one useful. The host
 * links all of them in every run and enforces the grant at each call (a refused call returns an
 * errno and is recorded as a capability denial), so linking never depends on the grant:
 * `checkLinkable` is what the sandbox requires. `checkImports` is the stricter pre-exec judgement
 * (every import's capability granted) that a policy may apply before running anything.
 *
 * `baseline` functions expose nothing by themselves (descriptor bookkeeping, a yield, a virtual
 * sleep, a trap). Functions with no grant at all are the sockets: there is no network, ever.
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

/** `granted` null: only whether the host can link it at all. */
function denyReason(imp: ImportDescriptor, granted: ReadonlySet<Capability> | null): string | null {
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
    return `${WASI_MODULE}.${imp.name} is not a WASI preview1 function`;
  }
  const needs = WASI_FUNCTIONS[imp.name] ?? [];
  if (granted === null || isGranted(needs, granted)) return null;
  if (needs.length === 0) return `${WASI_MODULE}.${imp.name} is never granted: the sandbox has no network`;
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

/**
 * What the sandbox itself requires before dispatch: every import is a preview1 function (any of the
 * 46, whatever the grant: the grant is enforced at the call) or the instrumenter's fuel global.
 * Imports from any other module would need a host Night Core does not run. Pure.
 */
export function checkLinkable(imports: readonly ImportDescriptor[]): ImportCheck {
  const denied: DeniedImport[] = [];
  for (const imp of imports) {
    const reason = denyReason(imp, null);
    if (reason !== null) denied.push({ module: imp.module, name: imp.name, reason });
  }
  return { allowed: denied.length === 0, denied };
}
