/**
 * Services without a preparation thread (a CLI command) prepare modules on their own thread and
 * persist the results like the console (issue 14): the next command compiles the stored artefact
 * instead of instrumenting again; a damaged artefact is made again, never run.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { openServices, type Services } from './index';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';
import { generateKeyPair } from '../core/crypto/ed25519';
import { createManifest, signManifest } from '../core/module/sign';
import { writeBundle } from './bundle-files';
import { program } from '../core/sandbox/test-programs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** As the CLI opens them: no preparation thread, no prespawn. */
const open = (dataDir: string) => openServices({ dataDir, workerUrl: DEFAULT_WORKER_URL, poolSize: 1 });
const CAPS = ['args', 'environ', 'stdin', 'stdout', 'stderr', 'exit'] as const;

async function runWordcount(s: Services, words: string) {
  const row = s.modules.latest('wordcount')!;
  const r = await s.governor.run(row, { args: ['-'], stdin: new TextEncoder().encode(words) }, 'test');
  if (!r.ok) throw new Error(r.message);
  return { decision: r.value.record.decision, stdout: Buffer.from(r.value.stdout).toString(), fuel: r.value.record.execution?.used.fuel };
}

describe('prepared artefacts without a preparation thread', () => {
  it('are persisted by one command and compiled as they are by the next; a damaged one is made again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nightcore-artefacts-'));
    dirs.push(dataDir);
    const wasm = program('wordcount');
    const first = open(dataDir);
    let artefact: string;
    let digest: string;
    let expected: Awaited<ReturnType<typeof runWordcount>>;
    try {
      const key = generateKeyPair();
      expect(first.trust.add({ publicKey: key.publicKey, role: 'publisher', name: 'p' }, 'test').ok).toBe(true);
      const manifest = createManifest(wasm, { name: 'wordcount', version: '1.0.0', capabilities: [...CAPS], limits: { fuel: 100_000_000, memoryPages: 34, wallMs: 5000, outputBytes: 65536 } });
      if (!manifest.ok) throw new Error(manifest.message);
      const envelope = signManifest(manifest.value, null, key.seed);
      if (!envelope.ok) throw new Error(envelope.message);
      writeBundle(join(dataDir, 'bundle'), wasm, manifest.value, envelope.value);
      const imported = first.modules.importFolder(join(dataDir, 'bundle'), 'test');
      if (!imported.ok) throw new Error(imported.message);
      expected = await runWordcount(first, 'one two three\n');
      expect(expected).toMatchObject({ decision: 'allow', stdout: '1 3 14 -\n' });
      digest = imported.value.wasmSha256;
      artefact = join(dataDir, 'prepared', `${digest}.m34.t65536`);
    } finally {
      await first.close();
    }
    const meta = JSON.parse(readFileSync(`${artefact}.json`, 'utf8')) as { sha256: string };
    const bytes = readFileSync(`${artefact}.wasm`);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(meta.sha256);
    expect(readFileSync(join(dataDir, 'prepared', `${digest}.report.json`), 'utf8')).toContain('"imports"');

    // The next command: the stored artefact is used as it is (not written again) and runs the same.
    const stamp = statSync(`${artefact}.wasm`).mtimeMs;
    const second = open(dataDir);
    try {
      expect(await runWordcount(second, 'one two three\n')).toEqual(expected);
    } finally {
      await second.close();
    }
    expect(statSync(`${artefact}.wasm`).mtimeMs).toBe(stamp);

    // Damaged on disk (one byte flipped): it no longer matches its digest, so it is made again.
    const damaged = Buffer.from(bytes);
    const at = damaged.length - 5;
    damaged.writeUInt8(damaged.readUInt8(at) ^ 0xff, at);
    writeFileSync(`${artefact}.wasm`, damaged);
    const third = open(dataDir);
    try {
      expect(await runWordcount(third, 'one two three\n')).toEqual(expected);
    } finally {
      await third.close();
    }
    expect(readFileSync(`${artefact}.wasm`).equals(bytes)).toBe(true);
  });
});
