/**
 * The work done on the preparation thread (server/services/instrument-worker.mjs) for one module: inspect it,
 * instrument it (unless an artefact instrumented earlier is supplied) and compile it. Everything
 * here is CPU-bound and proportional to the module's size, which is why it never runs on the
 * thread that serves requests. Pure apart from WebAssembly compilation; throws nothing.
 */
import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../../result';
import { inspectWasm } from '../../wasm/inspect';
import type { WasmReport } from '../../wasm/report';
import { instrumentModule } from './index';
import type { InstrumentError, InstrumentedMemory } from './types';

export interface PrepareCaps {
  readonly maxMemoryPages: number;
  readonly maxTableElements: number;
}

/** What is persisted per (digest, caps): enough to compile and run again without re-instrumenting. */
export interface InstrumentedArtefact {
  readonly bytes: Uint8Array;
  readonly memoryExport: string | null;
  readonly memory: InstrumentedMemory | null;
  /** Hex SHA-256 of `bytes`, recorded when it was made; a supplied artefact must still match it. */
  readonly sha256?: string;
}

export interface PrepareRequest {
  readonly wasm: Uint8Array;
  /** null: only inspect (no instrumenting, no compiling). */
  readonly caps: PrepareCaps | null;
  /** An artefact instrumented earlier for the same digest and caps: compiled as it is. */
  readonly artefact: InstrumentedArtefact | null;
  readonly inspect: boolean;
}

export interface PrepareOutput {
  readonly report: WasmReport | null;
  /** Present when caps were given; `fresh` when it was instrumented by this job (to be persisted). */
  readonly artefact: InstrumentedArtefact | null;
  readonly fresh: boolean;
  readonly module: WebAssembly.Module | null;
}

export type PrepareJobError = InstrumentError | 'INSPECT_FAILED' | 'COMPILE_FAILED';

export function prepareJob(req: PrepareRequest): Result<PrepareOutput, PrepareJobError> {
  let report: WasmReport | null = null;
  if (req.inspect) {
    const inspected = inspectWasm(req.wasm);
    if (!inspected.ok) return err('INSPECT_FAILED', inspected.message);
    report = inspected.value;
  }
  if (req.caps === null) return ok({ report, artefact: null, fresh: false, module: null });
  // A persisted artefact that no longer matches its digest (damaged on disk) is made again.
  let artefact = req.artefact !== null && req.artefact.sha256 === sha256Hex(req.artefact.bytes) ? req.artefact : null;
  const fresh = artefact === null;
  if (artefact === null) {
    const instrumented = instrumentModule(req.wasm, req.caps);
    if (!instrumented.ok) return instrumented;
    const { bytes, memoryExport, memory } = instrumented.value;
    artefact = { bytes, memoryExport, memory, sha256: sha256Hex(bytes) };
  }
  try {
    return ok({ report, artefact, fresh, module: new WebAssembly.Module(artefact.bytes as Uint8Array<ArrayBuffer>) });
  } catch (e) {
    return err('COMPILE_FAILED', `instrumented module does not compile: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
