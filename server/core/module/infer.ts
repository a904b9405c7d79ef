/**
 * What `nightcore init` infers from a module when the author does not say: the capabilities its
 * imports need (and why), a memory request sized from its initial pages within the policy cap,
 * and its entry (a command's `_start`, a reactor's `_initialize`). Pure: takes the inspector report.
 */
import type { WasmReport } from '../wasm/report';
import { CAPABILITIES, type Capability } from './manifest';

const WASI = 'wasi_snapshot_preview1';

/**
 * Which capability each preview1 function exercises; functions not listed need none of them
 * (descriptor bookkeeping, poll_oneoff on the virtual clock, sched_yield). File capabilities are
 * inferred conservatively: `path_open` is also how a program creates files, but importing it says
 * nothing about writing, so only functions that change the tree infer `fs.write`. Names that are
 * not capabilities of this build are skipped.
 */
const FUNCTION_CAPABILITIES: Readonly<Record<string, readonly string[]>> = {
  args_get: ['args'],
  args_sizes_get: ['args'],
  environ_get: ['environ'],
  environ_sizes_get: ['environ'],
  fd_read: ['stdin'],
  fd_write: ['stdout', 'stderr'],
  clock_time_get: ['clock'],
  clock_res_get: ['clock'],
  random_get: ['random'],
  proc_exit: ['exit'],
  path_open: ['fs.read'],
  path_filestat_get: ['fs.read'],
  path_readlink: ['fs.read'],
  fd_readdir: ['fs.read'],
  fd_pread: ['fs.read'],
  fd_pwrite: ['fs.write'],
  fd_allocate: ['fs.write'],
  fd_filestat_set_size: ['fs.write'],
  fd_filestat_set_times: ['fs.write'],
  path_create_directory: ['fs.write'],
  path_filestat_set_times: ['fs.write'],
  path_link: ['fs.write'],
  path_remove_directory: ['fs.write'],
  path_rename: ['fs.write'],
  path_symlink: ['fs.write'],
  path_unlink_file: ['fs.write'],
};

const isCapability = (c: string): c is Capability => (CAPABILITIES as readonly string[]).includes(c);

export interface CapabilityReason {
  readonly capability: Capability;
  /** The imports that need it, e.g. `fd_write`. */
  readonly functions: readonly string[];
}

export interface Inference {
  readonly capabilities: readonly Capability[];
  readonly reasons: readonly CapabilityReason[];
  /** Imports from outside WASI other than AssemblyScript's env.abort: Guardian will refuse them. */
  readonly foreignImports: readonly string[];
  readonly memory: { readonly initialPages: number; readonly requestedPages: number; readonly note: string };
  /** Null when the module exports neither `_start` nor `_initialize` (the author must choose). */
  readonly entry: { readonly name: string; readonly kind: 'command' | 'reactor' } | null;
  /** Exported functions other than the entry: what `nightcore call` can invoke. */
  readonly callable: readonly string[];
}

/** Room for the heap to grow: twice the initial size, and at least the usual default of 16 pages. */
const MIN_REQUEST_PAGES = 16;

function sizeMemory(report: WasmReport, capPages: number): Inference['memory'] {
  const initialPages = report.memories.reduce((m, mem) => Math.max(m, mem.initialPages), 0);
  const declaredMax = report.memories.reduce<number | null>((m, mem) => (mem.maximumPages === null ? m : Math.max(m ?? 0, mem.maximumPages)), null);
  if (initialPages > capPages) {
    return { initialPages, requestedPages: initialPages, note: `The module starts with ${initialPages} memory pages, above the policy's cap of ${capPages}: Guardian will refuse it until the policy allows more.` };
  }
  let requestedPages = Math.min(capPages, Math.max(MIN_REQUEST_PAGES, initialPages * 2));
  if (declaredMax !== null) requestedPages = Math.max(initialPages, Math.min(requestedPages, declaredMax));
  return {
    initialPages,
    requestedPages,
    note: `The module starts with ${initialPages} memory pages; requesting ${requestedPages} (room to grow, within the policy's cap of ${capPages}${declaredMax !== null ? ` and its own maximum of ${declaredMax}` : ''}).`,
  };
}

export function inferManifestFields(report: WasmReport, memoryCapPages: number): Inference {
  const byCapability = new Map<Capability, string[]>();
  const foreignImports: string[] = [];
  for (const imp of report.imports) {
    if (imp.module !== WASI) {
      if (!(imp.module === 'env' && imp.name === 'abort') && imp.module !== 'nightcore') foreignImports.push(`${imp.module}.${imp.name}`);
      continue;
    }
    for (const cap of FUNCTION_CAPABILITIES[imp.name] ?? []) {
      if (!isCapability(cap)) continue;
      byCapability.set(cap, [...(byCapability.get(cap) ?? []), imp.name]);
    }
  }
  const capabilities = CAPABILITIES.filter((c) => byCapability.has(c));
  const functions = report.exports.filter((e) => e.kind === 'func').map((e) => e.name);
  const entry = functions.includes('_start')
    ? ({ name: '_start', kind: 'command' } as const)
    : functions.includes('_initialize')
      ? ({ name: '_initialize', kind: 'reactor' } as const)
      : null;
  return {
    capabilities,
    reasons: capabilities.map((capability) => ({ capability, functions: byCapability.get(capability) ?? [] })),
    foreignImports,
    memory: sizeMemory(report, memoryCapPages),
    entry,
    callable: functions.filter((f) => f !== entry?.name && !f.startsWith('__')),
  };
}
