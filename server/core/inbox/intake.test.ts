import { describe, it, expect } from 'vitest';
import { looksLikeWasm, readSubmission } from './intake';

const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

describe('submission intake', () => {
  it('builds a manifest that pins the wasm digest, with defaults for what was not given', () => {
    const r = readSubmission({ wasm: EMPTY_MODULE, manifest: { name: 'hello', version: '1.2.3', capabilities: ['stdout'] }, purpose: ' prints hello ', defaultName: 'agent' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.manifest).toMatchObject({ name: 'hello', version: '1.2.3', capabilities: ['stdout'], wasm: { sha256: r.value.wasmSha256 } });
    expect(r.value.purpose).toBe('prints hello');
    expect(r.value.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('without a manifest, names the module after the agent', () => {
    const r = readSubmission({ wasm: EMPTY_MODULE, manifest: undefined, purpose: 'x', defaultName: 'ci-bot' });
    expect(r.ok && r.value.manifest.name).toBe('ci-bot');
  });

  it('refuses bytes that are not wasm with NOT_WASM (the 415 case)', () => {
    expect(looksLikeWasm(new TextEncoder().encode('#!/bin/sh'))).toBe(false);
    expect(readSubmission({ wasm: new Uint8Array([1, 2, 3]), manifest: undefined, purpose: 'x', defaultName: 'a' })).toMatchObject({ code: 'NOT_WASM' });
  });

  it('names every bad field at once: the module, the manifest and the purpose', () => {
    const truncated = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05]);
    const r = readSubmission({
      wasm: truncated,
      manifest: { name: 'Bad Name!', version: 'one', capabilities: ['sockets'], limits: { fuel: -1 }, extra: true },
      purpose: '',
      defaultName: 'a',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.issues!.join('\n');
    for (const field of ['module:', 'purpose', 'manifest.capabilities', 'manifest.limits.fuel', 'extra']) expect(text).toContain(field);
  });

  it('names bad name and version once the shape is right', () => {
    const r = readSubmission({ wasm: EMPTY_MODULE, manifest: { name: 'Bad Name!', version: 'one' }, purpose: 'x', defaultName: 'a' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues!.join('\n')).toMatch(/manifest\.name[\s\S]*manifest\.version|manifest\.version[\s\S]*manifest\.name/);
  });
});
