import { err, ok, type Result } from '../../result';

/** What the instrumenter returns (contract of ./instrument). */
export interface InstrumentedModule {
  readonly bytes: Uint8Array;
  readonly memoryExport: string | null;
}

export type InstrumentFn = (
  wasm: Uint8Array,
  opts: { maxMemoryPages: number; maxTableElements: number },
) => Result<InstrumentedModule, string>;

/** The caps clamped into the binary: part of the cache key, since they are part of the bytes. */
export interface Caps {
  readonly maxMemoryPages: number;
  readonly maxTableElements: number;
}

/** LIMIT_EXCEEDED: the module starts larger than the caps allow (the run ends as memory_limit). */
export type CompileError = 'INSTRUMENT_FAILED' | 'LIMIT_EXCEEDED';

/**
 * Instruments and compiles off the serving thread (services wire the preparation port and the
 * persisted artefacts here); resolves with the compiled module and its memory export.
 */
export type PrepareFn = (
  wasmSha256: string,
  wasm: Uint8Array,
  caps: Caps,
) => Promise<Result<{ module: WebAssembly.Module; memoryExport: string | null }, CompileError>>;

export interface CompiledModule {
  readonly module: WebAssembly.Module;
  readonly memoryExport: string | null;
  readonly imports: readonly WebAssembly.ModuleImportDescriptor[];
  /** Names exported as functions, to check the entry before dispatch. */
  readonly functionExports: ReadonlySet<string>;
}

/**
 * Instrument once and compile once per (digest, memory cap, table cap): the clamps are part of the
 * bytes, so two runs of the same wasm with different caps are different compiled modules. Bounded LRU (Map keeps
 * insertion order; a hit re-inserts) so a stream of distinct modules cannot grow memory unbounded.
 */
export class ModuleCache {
  private readonly entries = new Map<string, CompiledModule>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly instrument: InstrumentFn,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  getOrCompile(wasmSha256: string, wasm: Uint8Array, caps: Caps): Result<CompiledModule, CompileError> {
    const cached = this.lookup(wasmSha256, caps);
    if (cached) return ok(cached);
    const compiled = compile(wasm, caps, this.instrument);
    if (compiled.ok) this.remember(wasmSha256, caps, compiled.value);
    return compiled;
  }

  /** Like getOrCompile, with the work done by `prepare` (off this thread). */
  async getOrPrepare(wasmSha256: string, wasm: Uint8Array, caps: Caps, prepare: PrepareFn): Promise<Result<CompiledModule, CompileError>> {
    const cached = this.lookup(wasmSha256, caps);
    if (cached) return ok(cached);
    const prepared = await prepare(wasmSha256, wasm, caps);
    if (!prepared.ok) return prepared;
    const compiled = describe(prepared.value.module, prepared.value.memoryExport);
    this.remember(wasmSha256, caps, compiled);
    return ok(compiled);
  }

  private key(wasmSha256: string, caps: Caps): string {
    return `${wasmSha256}:${caps.maxMemoryPages}:${caps.maxTableElements}`;
  }

  private lookup(wasmSha256: string, caps: Caps): CompiledModule | undefined {
    const key = this.key(wasmSha256, caps);
    const cached = this.entries.get(key);
    if (!cached) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, cached);
    return cached;
  }

  private remember(wasmSha256: string, caps: Caps, compiled: CompiledModule): void {
    this.entries.set(this.key(wasmSha256, caps), compiled);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}

function describe(module: WebAssembly.Module, memoryExport: string | null): CompiledModule {
  const functionExports = new Set(
    WebAssembly.Module.exports(module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name),
  );
  return { module, memoryExport, imports: WebAssembly.Module.imports(module), functionExports };
}

function compile(wasm: Uint8Array, caps: Caps, instrument: InstrumentFn): Result<CompiledModule, CompileError> {
  const instrumented = instrument(wasm, { maxMemoryPages: caps.maxMemoryPages, maxTableElements: caps.maxTableElements });
  if (!instrumented.ok) {
    if (instrumented.code === 'LIMIT_EXCEEDED') return err('LIMIT_EXCEEDED', instrumented.message);
    return err('INSTRUMENT_FAILED', `instrumentation failed (${instrumented.code}): ${instrumented.message}`);
  }
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(instrumented.value.bytes as BufferSource);
  } catch (e) {
    // The engine rejected the instrumented bytes: a bug in the instrumenter or an unsupported feature.
    return err('INSTRUMENT_FAILED', `instrumented module does not compile: ${e instanceof Error ? e.message : String(e)}`);
  }
  return ok(describe(module, instrumented.value.memoryExport));
}
