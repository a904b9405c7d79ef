/** Public surface of the sandbox: the pool, the pre-exec import check and the WASI allow-list. */
export { createSandboxPool } from './pool';
export type { SandboxPool, SandboxPoolOptions, SandboxRunError, SandboxStats } from './pool';
export { checkImports, allowedWasiFunctions, WASI_FUNCTIONS, WASI_MODULE, FUEL_IMPORT, ABORT_IMPORT } from './wasi-imports';
export type { ImportCheck, ImportDescriptor, DeniedImport, DeniedImportCode, ImportKind, WasiGrant } from './wasi-imports';
export type { InstrumentFn } from './module-cache';
export type { RunRequest, RunOutcome, RunResult, CapabilityDenial, Invocation, WasmValue, WasmValueType } from './types';
