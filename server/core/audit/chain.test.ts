import { describe, it, expect } from 'vitest';
import { verifyChain, PROGRESS_EVERY, type ChainReport } from './chain';
import { signCheckpoint, verifyCheckpointSignature, type AuditCheckpoint } from './checkpoint';
import { eventHash } from './hash';
import { GENESIS_HASH, type AuditEvent } from './event';
import { buildChain, nodeVerify, testEd25519Key } from './test-support';

const key = testEd25519Key();
const sigCheck = (cp: AuditCheckpoint) => verifyCheckpointSignature(cp, (id) => (id === key.keyid ? key.publicKey : undefined), nodeVerify);
const cpAt = (chain: AuditEvent[], seq: number) => signCheckpoint({ seq, hash: chain[seq - 1]!.hash }, '2025-01-02T00:00:00.000Z', key);
const verify = (rows: AuditEvent[], cps: AuditCheckpoint[] = []): ChainReport => verifyChain(rows, cps, sigCheck);

/** Recomputes hashes from `from` on, as an attacker with write access could. */
function rehash(rows: AuditEvent[], from: number): AuditEvent[] {
  const out = rows.slice(0, from - 1);
  let prev = from === 1 ? GENESIS_HASH : rows[from - 2]!.hash;
  for (const r of rows.slice(from - 1)) {
    const hash = eventHash({ ...r, prevHash: prev });
    out.push({ ...r, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('verifyChain', () => {
  it('accepts a good chain with its checkpoints and reports the head', () => {
    const chain = buildChain(25);
    const r = verify(chain, [cpAt(chain, 10), cpAt(chain, 20)]);
    expect(r).toEqual({ ok: true, events: 25, checkpoints: 2, headSeq: 25, headHash: chain[24]!.hash, uncheckpointed: 5 });
    expect(verify([])).toEqual({ ok: true, events: 0, checkpoints: 0, headSeq: 0, headHash: GENESIS_HASH, uncheckpointed: 0 });
  });

  it('names the edited event (HASH_MISMATCH) and counts the good ones before it', () => {
    const chain = buildChain(10);
    chain[6] = { ...chain[6]!, actor: 'user:mallory' };
    expect(verify(chain)).toMatchObject({ ok: false, code: 'HASH_MISMATCH', seq: 7, events: 6 });
  });

  it('names a re-hashed event whose successor still points at the old hash (BROKEN_LINK)', () => {
    const chain = buildChain(10);
    const edited = { ...chain[3]!, payload: '{"n":999}' };
    chain[3] = { ...edited, hash: eventHash(edited) };
    expect(verify(chain)).toMatchObject({ ok: false, code: 'BROKEN_LINK', seq: 5 });
  });

  it('names the missing seq when an event was deleted, or the first seq is not 1', () => {
    const chain = buildChain(10);
    expect(verify([...chain.slice(0, 4), ...chain.slice(5)])).toMatchObject({ ok: false, code: 'SEQUENCE_GAP', seq: 5 });
    expect(verify(chain.slice(1))).toMatchObject({ ok: false, code: 'SEQUENCE_GAP', seq: 1 });
    expect(verify([...chain.slice(0, 3), chain[2]!])).toMatchObject({ ok: false, code: 'SEQUENCE_GAP', seq: 4 });
  });

  it('catches a full rewrite with recomputed hashes through the signed checkpoint', () => {
    const chain = buildChain(30);
    const cps = [cpAt(chain, 10), cpAt(chain, 20)];
    chain[14] = { ...chain[14]!, payload: '{"n":"forged"}' };
    const forged = rehash(chain, 15);
    const r = verify(forged, cps);
    expect(r).toMatchObject({ ok: false, code: 'CHECKPOINT_MISMATCH', seq: 20, events: 19 });
    if (!r.ok) expect(r.message).toContain('after the checkpoint at seq 10');
  });

  it('catches truncation behind a checkpoint (CHECKPOINT_MISSING_EVENT)', () => {
    const chain = buildChain(30);
    const r = verify(chain.slice(0, 17), [cpAt(chain, 10), cpAt(chain, 20)]);
    expect(r).toMatchObject({ ok: false, code: 'CHECKPOINT_MISSING_EVENT', seq: 20, events: 17 });
    if (!r.ok) expect(r.message).toMatch(/ends at seq 17.*truncated/);
  });

  it('refuses a checkpoint signed by another key or with a bad signature', () => {
    const chain = buildChain(12);
    const stranger = testEd25519Key();
    const foreign = signCheckpoint({ seq: 5, hash: chain[4]!.hash }, '2025-01-02T00:00:00.000Z', stranger);
    expect(verify(chain, [foreign])).toMatchObject({ ok: false, code: 'CHECKPOINT_SIGNATURE_INVALID', seq: 5 });
    const good = cpAt(chain, 5);
    const flipped = Buffer.from(good.signature, 'base64');
    flipped[0]! ^= 1;
    expect(verify(chain, [{ ...good, signature: flipped.toString('base64') }])).toMatchObject({ ok: false, code: 'CHECKPOINT_SIGNATURE_INVALID', seq: 5 });
    // the signature covers the time too
    expect(verify(chain, [{ ...good, time: '2030-01-01T00:00:00.000Z' }])).toMatchObject({ ok: false, code: 'CHECKPOINT_SIGNATURE_INVALID' });
  });

  it('refuses checkpoints out of order and malformed rows', () => {
    const chain = buildChain(12);
    expect(verify(chain, [cpAt(chain, 8), cpAt(chain, 4)])).toMatchObject({ ok: false, code: 'CHECKPOINT_OUT_OF_ORDER', seq: 4 });
    expect(verify(chain, [cpAt(chain, 4), cpAt(chain, 4)])).toMatchObject({ ok: false, code: 'CHECKPOINT_OUT_OF_ORDER', seq: 4 });
    const bad = [...chain];
    bad[2] = { ...bad[2]!, actor: 42 as unknown as string };
    expect(verify(bad)).toMatchObject({ ok: false, code: 'MALFORMED_EVENT', seq: 3 });
  });

  it('streams: pulls rows lazily and reports progress', () => {
    const chain = buildChain(PROGRESS_EVERY * 2 + 5);
    let pulled = 0;
    function* rows() {
      for (const r of chain) {
        pulled++;
        yield r;
      }
    }
    const progress: number[] = [];
    expect(verifyChain(rows(), [], sigCheck, (n) => progress.push(n)).ok).toBe(true);
    expect(progress).toEqual([PROGRESS_EVERY, PROGRESS_EVERY * 2, PROGRESS_EVERY * 2 + 5]);
    const broken = [...chain];
    broken[99] = { ...broken[99]!, subject: 'x' };
    pulled = 0;
    const it2 = (function* () { for (const r of broken) { pulled++; yield r; } })();
    expect(verifyChain(it2, [], sigCheck)).toMatchObject({ ok: false, seq: 100 });
    expect(pulled).toBe(100); // stopped at the first bad event
  });
});
