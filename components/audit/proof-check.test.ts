/**
 * The browser's proof check (noble, no node:crypto) against bundles made by the server: it accepts
 * what the server-side verifier accepts and refuses the same attacks.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { openMemoryDatabase, type DbHandle } from '@/db/client';
import { AuditLog } from '@/server/services/audit-log';
import { proveInclusion, verifierKeyOf } from '@/server/services/audit-proofs';
import { testEd25519Key } from '@/server/core/audit/test-support';
import { checkInclusionInBrowser } from './proof-check';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));
const serverKey = testEd25519Key();

function setup() {
  const handle = openMemoryDatabase();
  handles.push(handle);
  const log = new AuditLog(handle.sqlite, { serverKey, checkpointEvery: 100 });
  log.appendMany(Array.from({ length: 300 }, (_, i) => ({ actor: 'user:é"\u2028', action: 'run.decided' as const, subject: `run:${i}`, payload: { i, nested: { b: [1, 2.5, 'x'], a: null } } })));
  const prove = (seq: number) => {
    const r = proveInclusion(log, seq);
    if (!r.ok) throw new Error(r.message);
    return JSON.parse(JSON.stringify(r.value)) as ReturnType<typeof JSON.parse>;
  };
  return { log, prove, vkey: verifierKeyOf(log, serverKey.publicKey) };
}

describe('checkInclusionInBrowser', () => {
  it('accepts the server’s proofs for first, middle and last events, every step ok', () => {
    const { prove, vkey } = setup();
    for (const seq of [1, 150, 256, 300]) {
      const r = checkInclusionInBrowser(prove(seq), vkey);
      expect(r.steps.filter((s) => !s.ok)).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.steps).toHaveLength(6);
    }
  });

  it('refuses an edited event, a moved leaf, a swapped path, a foreign key, a forged checkpoint and junk', () => {
    const { prove, vkey, log } = setup();
    const b = prove(42);
    expect(checkInclusionInBrowser({ ...b, event: { ...b.event, actor: 'user:else' } }, vkey).ok).toBe(false);
    expect(checkInclusionInBrowser({ ...b, leafIndex: 40 }, vkey).ok).toBe(false);
    expect(checkInclusionInBrowser({ ...b, proof: prove(43).proof }, vkey).ok).toBe(false);
    expect(checkInclusionInBrowser(b, verifierKeyOf(log, testEd25519Key().publicKey)).ok).toBe(false);
    const forgedRoot = b.checkpoint.replace(/\n([A-Za-z0-9+/]{43}=)\n/, '\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n');
    expect(checkInclusionInBrowser({ ...b, checkpoint: forgedRoot }, vkey).ok).toBe(false);
    expect(checkInclusionInBrowser({ ...b, checkpoint: b.checkpoint.split('\n\n')[0] + '\n\n' }, vkey).ok).toBe(false);
    for (const junk of [null, {}, { ...b, type: 'x' }, { ...b, proof: ['!!'] }]) expect(checkInclusionInBrowser(junk, vkey).ok).toBe(false);
    expect(checkInclusionInBrowser(b, 'not a key').ok).toBe(false);
  });
});
