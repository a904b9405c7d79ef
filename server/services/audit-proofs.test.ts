/**
 * Proof bundles from a real log, checked by the standalone verifier with nothing but the verifier
 * key; then what an attacker with the database would try: a rewritten event, a truncated and
 * regrown tail, a forked checkpoint, a lying tree size, a foreign key.
 */
import { describe, it, expect, afterEach } from 'vitest';
import type Database from 'better-sqlite3';
import { openMemoryDatabase, type DbHandle } from '../../db/client';
import { AuditLog } from './audit-log';
import { proveConsistency, proveInclusion, verifierKeyOf } from './audit-proofs';
import { parseVerifierKey, type NoteKey } from '../core/audit/signed-note';
import { verifyConsistencyBundle, verifyInclusionBundle } from '../core/audit/proof-bundle';
import { verifyEd25519 } from '../core/crypto/ed25519';
import { eventHash } from '../core/audit/hash';
import { GENESIS_HASH } from '../core/audit/event';
import { testEd25519Key } from '../core/audit/test-support';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));
const serverKey = testEd25519Key();

function logWith(n: number) {
  const handle = openMemoryDatabase();
  handles.push(handle);
  const log = new AuditLog(handle.sqlite, { serverKey, checkpointEvery: 100 });
  log.appendMany(Array.from({ length: n }, (_, i) => ({ actor: 'user:op', action: 'run.decided' as const, subject: `run:${i + 1}`, payload: { i: i + 1, note: 'ok' } })));
  const vkey = parseVerifierKey(verifierKeyOf(log, serverKey.publicKey));
  if (!vkey.ok) throw new Error(vkey.message);
  return { log, sqlite: handle.sqlite, key: vkey.value };
}

const unwrap = <T,>(r: { ok: true; value: T } | { ok: false; message: string }): T => {
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const check = (bundle: unknown, key: NoteKey) => verifyInclusionBundle(JSON.parse(JSON.stringify(bundle)), key, verifyEd25519);

/** The attacker's tool: replace the events from `from` on with new ones, re-chained and hashed. */
function rewriteFrom(sqlite: Database.Database, from: number, count: number, note: string) {
  const triggers = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
  for (const t of triggers) sqlite.exec(`DROP TRIGGER ${t.name}`);
  sqlite.prepare('DELETE FROM audit_events WHERE seq >= ?').run(from);
  sqlite.prepare('DELETE FROM audit_checkpoints WHERE seq >= ?').run(from);
  sqlite.prepare('DELETE FROM audit_tree_nodes').run();
  let prev = from === 1 ? GENESIS_HASH : (sqlite.prepare('SELECT hash FROM audit_events WHERE seq = ?').pluck().get(from - 1) as string);
  for (let seq = from; seq < from + count; seq++) {
    const e = { seq, time: '2025-01-01T00:00:00.000Z', actor: 'user:op', action: 'run.decided', subject: `run:${seq}`, payload: JSON.stringify({ i: seq, note }), prevHash: prev };
    const hash = eventHash(e);
    sqlite.prepare('INSERT INTO audit_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(e.seq, e.time, e.actor, e.action, e.subject, e.payload, prev, hash);
    prev = hash;
  }
  for (const t of triggers) sqlite.exec(t.sql);
}

describe('inclusion proofs', () => {
  it('prove any event against the newest signed head, and verify with only the verifier key', () => {
    const { log, key } = logWith(1_000);
    for (const seq of [1, 2, 256, 257, 999, 1_000]) {
      const bundle = unwrap(proveInclusion(log, seq));
      expect(bundle).toMatchObject({ leafIndex: seq - 1, treeSize: 1_000, event: { seq } });
      expect(check(bundle, key)).toMatchObject({ ok: true, value: { seq, treeSize: 1_000, origin: log.origin } });
    }
    // against an older checkpoint too
    expect(check(unwrap(proveInclusion(log, 5, 300)), key)).toMatchObject({ ok: true, value: { treeSize: 300 } });
  });

  it('an event newer than the last checkpoint gets a checkpoint first', () => {
    const { log, key } = logWith(150);
    expect(log.latestCheckpoint()?.seq).toBe(100);
    const bundle = unwrap(proveInclusion(log, 140));
    expect(bundle.treeSize).toBe(150);
    expect(check(bundle, key).ok).toBe(true);
  });

  it('refuses an edited event, a swapped event, a lying size or index, a foreign key, and junk', () => {
    const { log, key } = logWith(300);
    const bundle = unwrap(proveInclusion(log, 42));
    const edited = { ...bundle, event: { ...bundle.event, payload: { i: 42, note: 'nothing happened' } } };
    expect(check(edited, key)).toMatchObject({ ok: false, code: 'EVENT_HASH_MISMATCH' });
    const other = unwrap(proveInclusion(log, 43)).event;
    expect(check({ ...bundle, event: other }, key)).toMatchObject({ ok: false });
    expect(check({ ...bundle, leafIndex: 42, event: other }, key)).toMatchObject({ ok: false, code: 'INCLUSION_INVALID' });
    expect(check({ ...bundle, treeSize: 299 }, key)).toMatchObject({ ok: false, code: 'BUNDLE_MALFORMED' });
    const stranger = parseVerifierKey(verifierKeyOf(log, testEd25519Key().publicKey));
    expect(stranger.ok && check(bundle, stranger.value)).toMatchObject({ ok: false, code: 'NOTE_UNSIGNED' });
    for (const junk of [null, [], { ...bundle, proof: 'x' }, { ...bundle, proof: Array(65).fill(bundle.proof[0]) }, { ...bundle, type: 'other' }, { ...bundle, event: { ...bundle.event, seq: -1 } }]) {
      expect(check(junk, key)).toMatchObject({ ok: false, code: 'BUNDLE_MALFORMED' });
    }
    expect(proveInclusion(log, 301)).toMatchObject({ ok: false, code: 'EVENT_NOT_FOUND' });
    expect(proveInclusion(log, 5, 250)).toMatchObject({ ok: false, code: 'CHECKPOINT_NOT_FOUND' });
  });
});

describe('consistency proofs', () => {
  it('prove that a newer signed head extends an older one', () => {
    const { log, key } = logWith(1_000);
    for (const [a, b] of [[100, 1_000], [300, 700], [500, 500]] as const) {
      const bundle = unwrap(proveConsistency(log, a, b));
      expect(verifyConsistencyBundle(bundle, key, verifyEd25519)).toMatchObject({ ok: true, value: { oldSize: a, newSize: b } });
    }
    expect(proveConsistency(log, 700, 300)).toMatchObject({ ok: false, code: 'INVALID_SIZE' });
    expect(proveConsistency(log, 150, 300)).toMatchObject({ ok: false, code: 'CHECKPOINT_NOT_FOUND' });
  });

  it('an auditor holding an old head detects a truncated and regrown tail, and a rewritten history', () => {
    const truncated = logWith(500);
    const heldByAuditor = truncated.log.checkpointAt(400)!.note!;
    rewriteFrom(truncated.sqlite, 301, 300, 'regrown'); // drop 301..500, grow back to 600 with other events
    truncated.log.checkpoint();
    const fresh = truncated.log.latestCheckpoint()!;
    expect(fresh.seq).toBe(600);
    const claim = { type: 'nightcore.audit-consistency/v1', oldCheckpoint: heldByAuditor, newCheckpoint: fresh.note!, proof: unwrap(proveConsistency(truncated.log, 300, 600)).proof };
    expect(verifyConsistencyBundle(claim, truncated.key, verifyEd25519)).toMatchObject({ ok: false, code: 'CONSISTENCY_INVALID' });
    // the database's own verify also names it: the surviving checkpoints do not cover the new events' tree
    expect(truncated.log.verify().ok).toBe(true); // every checkpoint left in the file is consistent...
    // ...which is exactly why the old head must live outside the database (a witness, an auditor)
  });

  it('a forked head (same size, different history) is not consistent with the one an auditor holds', () => {
    const { log, sqlite, key } = logWith(400);
    const held = log.checkpointAt(400)!.note!;
    rewriteFrom(sqlite, 200, 201, 'forked');
    log.checkpoint();
    const fork = log.latestCheckpoint()!;
    expect(fork.seq).toBe(400);
    expect(fork.note).not.toBe(held);
    expect(verifyConsistencyBundle({ type: 'nightcore.audit-consistency/v1', oldCheckpoint: held, newCheckpoint: fork.note!, proof: [] }, key, verifyEd25519)).toMatchObject({ ok: false, code: 'CONSISTENCY_INVALID' });
  });
});
