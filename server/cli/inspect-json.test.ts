/**
 * Regression (issue 8): `nightcore inspect --json` of a valid module made of millions of empty custom
 * sections ran out of memory. Through the real bin script, with a heap far too small for the old report.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(__dirname, '../../bin/nightcore.mjs');
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

describe('nightcore inspect --json on a hostile module', () => {
  it('reports a module of 3 million empty custom sections in bounded output', () => {
    const count = 3_000_000; // 9 MB: each section is id 0, size 1, an empty name
    const bytes = new Uint8Array(HEADER.length + count * 3);
    bytes.set(HEADER);
    for (let i = 0; i < count; i++) bytes[HEADER.length + i * 3 + 1] = 1;
    const dir = mkdtempSync(join(tmpdir(), 'nightcore-inspect-'));
    const file = join(dir, 'sections.wasm');
    writeFileSync(file, bytes);
    // 3 million report entries as objects alone would not fit in this heap.
    const r = spawnSync(process.execPath, ['--max-old-space-size=96', BIN, 'inspect', file, '--json'], {
      encoding: 'utf8',
      env: { ...process.env, NIGHTCORE_DATA: join(dir, 'data') },
      maxBuffer: 4 * 1024 * 1024,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeLessThan(64 * 1024);
    const body = JSON.parse(r.stdout) as { ok: boolean; report: { customSections: unknown[]; customSectionTotals: unknown } };
    expect(body.ok).toBe(true);
    expect(body.report.customSections).toHaveLength(64);
    expect(body.report.customSectionTotals).toEqual({ count, sizeBytes: count });
  }, 60_000);
});
