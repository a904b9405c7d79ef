/** Public surface of the sandbox: the pool, the pre-exec import check and the WASI allow-list. */
export { createSandboxPool } from './pool';
export type { SandboxPool, SandboxPoolOptions, SandboxRunError, SandboxStats } from './pool';
export { checkImports, checkLinkable, allowedWasiFunctions, WASI_FUNCTIONS, WASI_MODULE, FUEL_IMPORT } from './wasi-imports';
export type { ImportCheck, ImportDescriptor, DeniedImport, ImportKind, WasiGrant } from './wasi-imports';
export type { InstrumentFn } from './module-cache';
export type { RunRequest, RunOutcome, RunResult, CapabilityDenial, Preopen, TreeEntry } from './types';
