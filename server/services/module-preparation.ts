/**
 * Module preparation for the services: the preparation thread (core/sandbox/instrument/off-thread)
 * plus the persisted artefacts (prepared-store.ts). A module is inspected, instrumented and compiled
 * off the serving thread once per digest at import (for the grant the current policy gives it) and
 * the results are persisted; a run then finds them, and anything missing (other caps after a policy
 * change, a restart, a damaged file) is made off-thread on demand. Nothing here blocks on module work.
 */
import { err, ok, type Result } from '../core/result';
import { effectiveGrant } from '../core/guardian';
import { tableElementsOf, type TManifest } from '../core/module/manifest';
import type { TPolicy } from '../core/guardian/schema';
import type { PrepareFn } from '../core/sandbox/worker-threads/module-cache';
import type { PrepareBytesFn } from '../core/sandbox/process';
import type { PrepareCaps, PrepareError, WasmPreparer } from '../core/sandbox/instrument/off-thread';
import type { WasmReport } from '../core/wasm/report';
import type { PreparedStore } from './prepared-store';

/** Generous for the largest module accepted (64 MiB), yet a bound: the 5 MB module took ~9 s. */
export const PREPARE_TIMEOUT_MS = 120_000;

type Made = Result<{ module: WebAssembly.Module; bytes: Uint8Array; memoryExport: string | null; report: WasmReport | null }, PrepareError>;

export class ModulePreparation {
  /** Jobs in progress per (digest, caps): an import and the first run share one instrumentation. */
  private readonly inFlight = new Map<string, Promise<Made>>();
  /** Every job and report still working (a preparation started at import is not awaited by anyone): close() waits for them. */
  private readonly pending = new Set<Promise<unknown>>();

  private closed = false;

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work)).catch(() => undefined);
    return work;
  }

  constructor(
    private readonly preparer: WasmPreparer,
    private readonly store: PreparedStore,
  ) {}

  /** The pool's PrepareFn: a persisted artefact is compiled off-thread; a missing one is made and saved. */
  readonly forRun: PrepareFn = async (wasmSha256, wasm, caps) => {
    const made = await this.make(wasmSha256, wasm, caps, false);
    if (!made.ok) return refusal(made);
    return ok({ module: made.value.module, memoryExport: made.value.memoryExport });
  };

  /** The process backend's port: the instrumented bytes, which the jail compiles itself (a compiled module cannot cross processes). */
  readonly bytesForRun: PrepareBytesFn = async (wasmSha256, wasm, caps) => {
    const made = await this.make(wasmSha256, wasm, caps, false);
    if (!made.ok) return refusal(made);
    return ok({ bytes: made.value.bytes, memoryExport: made.value.memoryExport });
  };

  private make(wasmSha256: string, wasm: Uint8Array, caps: PrepareCaps, withReport: boolean): Promise<Made> {
    const key = `${wasmSha256}:${caps.maxMemoryPages}:${caps.maxTableElements}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    if (this.closed) return Promise.resolve(err('SHUT_DOWN', 'the services are closed'));
    const job = (async (): Promise<Made> => {
      const saved = (await this.store.loadArtefact(wasmSha256, caps)) ?? null;
      const prepared = await this.preparer.instrument(wasm, caps, saved, withReport);
      if (!prepared.ok) return prepared;
      if (prepared.value.fresh) await this.store.saveArtefact(wasmSha256, caps, prepared.value.artefact);
      if (prepared.value.report) await this.store.saveReport(wasmSha256, prepared.value.report);
      return ok({ module: prepared.value.module, bytes: prepared.value.artefact.bytes, memoryExport: prepared.value.artefact.memoryExport, report: prepared.value.report });
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, job);
    return this.track(job);
  }

  /** The inspector report of a stored module: persisted, or made off-thread (and persisted). */
  report(wasmSha256: string, wasm: Uint8Array): Promise<WasmReport | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    return this.track(this.loadOrInspect(wasmSha256, wasm));
  }

  private async loadOrInspect(wasmSha256: string, wasm: Uint8Array): Promise<WasmReport | undefined> {
    const saved = await this.store.loadReport(wasmSha256);
    if (saved) return saved;
    const inspected = await this.preparer.inspect(wasm);
    if (!inspected.ok) return undefined;
    await this.store.saveReport(wasmSha256, inspected.value);
    return inspected.value;
  }

  /**
   * At import: report and instrumented artefact for the grant the active policy gives this
   * manifest, made off-thread and persisted. A module that cannot be prepared is still imported
   * (its signature is what import judges); its runs are refused with the reason.
   */
  async atImport(wasmSha256: string, wasm: Uint8Array, manifest: TManifest, policy: TPolicy): Promise<Result<{ report: WasmReport }, PrepareError>> {
    const limits = effectiveGrant(policy, manifest).limits;
    const caps: PrepareCaps = { maxMemoryPages: limits.memoryPages, maxTableElements: tableElementsOf(limits) };
    const made = await this.make(wasmSha256, wasm, caps, true);
    // Even when it cannot be instrumented, the report is kept: every later dry run uses it.
    const report = made.ok && made.value.report ? made.value.report : await this.report(wasmSha256, wasm);
    if (!made.ok) return err(made.code, made.message);
    return report ? ok({ report }) : err('INSPECT_FAILED', 'the module could not be inspected');
  }

  /** Starts the preparation thread now (a long-running host) rather than on the first job. */
  start(): void {
    this.preparer.start();
  }

  /**
   * Stops the thread (jobs still waiting end as SHUT_DOWN), then waits for work already past it to
   * finish writing: nothing is written into the data folder after close() resolves.
   */
  async close(): Promise<void> {
    this.closed = true; // nothing new starts, not even a report asked for by work finishing now
    await this.preparer.close();
    await Promise.allSettled([...this.pending]);
  }
}

function refusal(r: { code: PrepareError; message: string }) {
  // Initial memory or tables above the caps: a memory_limit outcome, like the on-thread path.
  if (r.code === 'LIMIT_EXCEEDED') return err('LIMIT_EXCEEDED' as const, r.message);
  return err('INSTRUMENT_FAILED' as const, `instrumentation failed (${r.code}): ${r.message}`);
}
