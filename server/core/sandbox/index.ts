/** Public surface of the sandbox: the backend port, its backends, the import check and the WASI allow-list. */
export { GUARANTEE_IDS, GUARANTEE_TITLES, withRequestChecks } from './backend';
export type { BackendDescription, BackendKind, BackendStats, Guarantee, GuaranteeId, SandboxBackend, SandboxRunError } from './backend';
export { createWorkerThreadsBackend, WORKER_THREADS, type WorkerThreadsOptions } from './worker-threads';
export { checkRequest, emptyResult } from './request-checks';
export { checkImports, allowedWasiFunctions, WASI_FUNCTIONS, WASI_MODULE, FUEL_IMPORT, ABORT_IMPORT } from './wasi-imports';
export type { ImportCheck, ImportDescriptor, DeniedImport, DeniedImportCode, ImportKind, WasiGrant } from './wasi-imports';
export type { InstrumentFn } from './worker-threads/module-cache';
export type { RunRequest, RunOutcome, RunResult, CapabilityDenial, Invocation, WasmValue, WasmValueType, Preopen, TreeEntry } from './types';
