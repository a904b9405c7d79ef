/**
 * Persisted results of module preparation, per wasm digest: the inspector report, and the
 * instrumented bytes per (memory cap, table cap), so that a module is inspected and instrumented
 * once (at import) and a restart does not redo the work. Files under `<dataDir>/prepared/`,
 * written atomically (temp file + rename), read asynchronously. Names come from our own digests
 * and integers, never from input. The instrumented bytes carry their own SHA-256, checked on the
 * preparation thread before they are compiled, so a damaged file is re-made, never run.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../core/crypto/digest';
import type { InstrumentedArtefact, PrepareCaps } from '../core/sandbox/instrument/off-thread';
import type { WasmReport } from '../core/wasm/report';

const DIGEST_RE = /^[0-9a-f]{64}$/;

interface ArtefactMeta {
  readonly memoryExport: string | null;
  readonly memory: InstrumentedArtefact['memory'];
  readonly sha256: string;
}

export class PreparedStore {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly dir: string) {}

  async loadReport(wasmSha256: string): Promise<WasmReport | undefined> {
    const text = await this.read(this.path(wasmSha256, 'report.json'), 'utf8');
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as WasmReport;
    } catch {
      return undefined; // damaged: inspected again and rewritten
    }
  }

  async saveReport(wasmSha256: string, report: WasmReport): Promise<void> {
    await this.write(this.path(wasmSha256, 'report.json'), JSON.stringify(report));
  }

  async loadArtefact(wasmSha256: string, caps: PrepareCaps): Promise<InstrumentedArtefact | undefined> {
    const base = this.artefactBase(wasmSha256, caps);
    const [metaText, bytes] = await Promise.all([this.read(`${base}.json`, 'utf8'), this.read(`${base}.wasm`)]);
    if (metaText === undefined || bytes === undefined) return undefined;
    try {
      const meta = JSON.parse(metaText) as ArtefactMeta;
      if (!DIGEST_RE.test(meta.sha256)) return undefined;
      return { bytes: new Uint8Array(bytes), memoryExport: meta.memoryExport, memory: meta.memory, sha256: meta.sha256 };
    } catch {
      return undefined;
    }
  }

  async saveArtefact(wasmSha256: string, caps: PrepareCaps, artefact: InstrumentedArtefact): Promise<void> {
    const base = this.artefactBase(wasmSha256, caps);
    const meta: ArtefactMeta = {
      memoryExport: artefact.memoryExport,
      memory: artefact.memory,
      sha256: artefact.sha256 ?? sha256Hex(artefact.bytes),
    };
    // Bytes first: the meta file is what makes an artefact visible.
    await this.write(`${base}.wasm`, artefact.bytes);
    await this.write(`${base}.json`, JSON.stringify(meta));
  }

  private artefactBase(wasmSha256: string, caps: PrepareCaps): string {
    const pages = Math.trunc(caps.maxMemoryPages);
    const tables = Math.trunc(caps.maxTableElements);
    return this.path(wasmSha256, `m${pages}.t${tables}`);
  }

  private path(wasmSha256: string, suffix: string): string {
    if (!DIGEST_RE.test(wasmSha256)) throw new Error(`not a SHA-256 digest: ${wasmSha256.slice(0, 80)}`);
    return join(this.dir, `${wasmSha256}.${suffix}`);
  }

  private async read(path: string): Promise<Buffer | undefined>;
  private async read(path: string, encoding: 'utf8'): Promise<string | undefined>;
  private async read(path: string, encoding?: 'utf8'): Promise<Buffer | string | undefined> {
    try {
      return encoding ? await readFile(path, encoding) : await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  private async write(path: string, data: string | Uint8Array): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.ready;
    const temp = `${path}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
    await writeFile(temp, data, { mode: 0o600 });
    await rename(temp, path);
  }
}
