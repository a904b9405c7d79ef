/** The audit router over a real in-memory audit log: newest-first keyset pages, filters, bad queries. */
import { describe, it, expect, afterEach } from 'vitest';
import { TRPCError } from '@trpc/server';
import { AUDIT_ACTIONS } from '../../core/audit/event';
import { RECENT_EVENTS_WITHOUT_EXPORT } from '../../core/audit/query';
import { createCaller } from '../root';
import { ctxFor, memoryServices, sessionFor } from '../test-support';
import type { DbHandle } from '../../../db/client';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));

/** 12 events: seq 1..12, actors alternate alice/bob, every third is a key.revoked. */
function seeded(role: 'viewer' | 'admin' = 'viewer') {
  const { services, handle } = memoryServices();
  handles.push(handle);
  for (let i = 1; i <= 12; i++) {
    services.audit.append({
      actor: i % 2 ? 'user:alice' : 'user:bob',
      action: i % 3 === 0 ? 'key.revoked' : 'key.added',
      subject: `key:${i}`,
      payload: { n: i, note: '<b>not html</b>' },
    });
  }
  return createCaller(ctxFor(sessionFor(role), services));
}

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return e.code;
  }
}

describe('audit.page', () => {
  it('returns the newest events first, with their canonical payload text', async () => {
    const page = await seeded().audit.page({ limit: 5 });
    expect(page.events.map((e) => e.seq)).toEqual([12, 11, 10, 9, 8]);
    expect(JSON.parse(page.events[0]!.payload)).toEqual({ n: 12, note: '<b>not html</b>' });
    expect(page.events[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(page.hasOlder).toBe(true);
    expect(page.hasNewer).toBe(false);
  });

  it('pages older with beforeSeq and back newer with afterSeq, still newest first', async () => {
    const caller = seeded();
    const older = await caller.audit.page({ beforeSeq: 8, limit: 5 });
    expect(older.events.map((e) => e.seq)).toEqual([7, 6, 5, 4, 3]);
    expect(older).toMatchObject({ hasOlder: true, hasNewer: true });
    const last = await caller.audit.page({ beforeSeq: 3, limit: 5 });
    expect(last.events.map((e) => e.seq)).toEqual([2, 1]);
    expect(last.hasOlder).toBe(false);
    const newer = await caller.audit.page({ afterSeq: 7, limit: 3 });
    expect(newer.events.map((e) => e.seq)).toEqual([10, 9, 8]);
    expect(newer).toMatchObject({ hasOlder: true, hasNewer: true });
    const newest = await caller.audit.page({ afterSeq: 9, limit: 5 });
    expect(newest.events.map((e) => e.seq)).toEqual([12, 11, 10]);
    expect(newest.hasNewer).toBe(false);
  });

  it('filters by action, actor and subject (together)', async () => {
    const caller = seeded();
    const revoked = await caller.audit.page({ action: 'key.revoked' });
    expect(revoked.events.map((e) => e.seq)).toEqual([12, 9, 6, 3]);
    const bobRevoked = await caller.audit.page({ action: 'key.revoked', actor: 'user:bob' });
    expect(bobRevoked.events.map((e) => e.seq)).toEqual([12, 6]);
    const one = await caller.audit.page({ subject: 'key:5' });
    expect(one.events.map((e) => e.seq)).toEqual([5]);
    expect((await caller.audit.page({ actor: 'user:nobody' })).events).toEqual([]);
  });

  it('refuses an unknown action and contradictory cursors as BAD_REQUEST', async () => {
    const caller = seeded();
    expect(await codeOf(caller.audit.page({ action: 'key.stolen' }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.audit.page({ afterSeq: 1, beforeSeq: 5 }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.audit.page({ limit: 0 }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.audit.page({ beforeSeq: -1 }))).toBe('BAD_REQUEST');
  });

  it('tells the domain code of a bad action', async () => {
    try {
      await seeded().audit.page({ action: 'key.stolen' });
      expect.unreachable();
    } catch (e) {
      expect((e as TRPCError).cause).toMatchObject({ code: 'INVALID_QUERY' });
      expect((e as TRPCError).message).toContain('key.stolen');
    }
  });
});

describe('audit.page reading window (issue 8: bulk reading is an export)', () => {
  function big(role: 'viewer' | 'operator' | 'approver' | 'admin') {
    const { services, handle } = memoryServices();
    handles.push(handle);
    const total = RECENT_EVENTS_WITHOUT_EXPORT + 20;
    services.audit.appendMany(Array.from({ length: total }, (_, i) => ({ actor: i < 5 ? 'user:old' : 'user:new', action: 'run.decided' as const, subject: `run:${i + 1}`, payload: {} })));
    return { caller: createCaller(ctxFor(sessionFor(role), services)), total };
  }

  it('viewers and operators see only the newest events, however they page or filter', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const { caller, total } = big(role);
      const floor = total - RECENT_EVENTS_WITHOUT_EXPORT;
      const newest = await caller.audit.page({ limit: 5 });
      expect(newest.readableFromSeq).toBe(floor + 1);
      expect((await caller.audit.page({ beforeSeq: floor + 3, limit: 5 })).events.map((e) => e.seq)).toEqual([floor + 2, floor + 1]);
      expect(await caller.audit.page({ beforeSeq: floor + 1 })).toMatchObject({ events: [], hasOlder: false });
      expect((await caller.audit.page({ actor: 'user:old' })).events).toEqual([]);
      expect((await caller.audit.page({ afterSeq: 0, limit: 2 })).events.map((e) => e.seq)).toEqual([floor + 2, floor + 1]);
      // a floor smuggled in the input is dropped by the schema, not obeyed
      expect((await caller.audit.page({ floorSeq: 0, actor: 'user:old' } as never)).events).toEqual([]);
    }
  });

  it('approvers and admins (audit.export) read the whole log', async () => {
    for (const role of ['approver', 'admin'] as const) {
      const { caller } = big(role);
      const old = await caller.audit.page({ actor: 'user:old' });
      expect(old.events.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
      expect(old.readableFromSeq).toBe(1);
    }
  });
});

describe('audit.actions', () => {
  it('is the closed action list, for the filter', async () => {
    const actions = await seeded().audit.actions();
    expect(actions).toEqual([...AUDIT_ACTIONS]);
    expect(actions).toContain('audit.verified');
  });
});

describe('audit.witnesses', () => {
  it('lists each configured witness with what it cosigned, its lag and a refusal', async () => {
    const { WitnessPusher } = await import('../../services/witness-client');
    const { verifyEd25519 } = await import('../../core/crypto/ed25519');
    const { services, handle } = memoryServices();
    handles.push(handle);
    services.audit.appendMany(Array.from({ length: 5 }, (_, i) => ({ actor: 'user:op', action: 'run.decided' as const, subject: `run:${i}`, payload: {} })));
    const refusing = async () => new Response('the tree does not extend\n', { status: 422 });
    const witnesses = new WitnessPusher(handle.sqlite, services.audit, [{ url: 'http://127.0.0.1:9', key: { name: 'w.example', publicKey: new Uint8Array(32) } }], verifyEd25519, refusing);
    await witnesses.pushAll();
    const caller = createCaller(ctxFor(sessionFor('viewer'), { audit: services.audit, witnesses } as unknown as typeof services));
    const list = await caller.audit.witnesses();
    expect(list).toEqual([
      { name: 'w.example', url: 'http://127.0.0.1:9', cosignedSeq: null, cosignedAt: null, lagEvents: 5, error: { code: 'WITNESS_REFUSED', message: expect.stringContaining('HTTP 422'), at: expect.any(String) } },
    ]);
    expect(await codeOf(createCaller(ctxFor(null, services)).audit.witnesses())).toBe('UNAUTHORIZED');
  });
});

describe('audit.prove', () => {
  it('gives a proof against the newest checkpoint and the verifier key; refuses old events to viewers and unsealed ones', async () => {
    const { services, handle } = memoryServices();
    handles.push(handle);
    services.audit.appendMany(Array.from({ length: RECENT_EVENTS_WITHOUT_EXPORT + 10 }, (_, i) => ({ actor: 'user:op', action: 'run.decided' as const, subject: `run:${i}`, payload: {} })));
    services.audit.checkpoint();
    const head = services.audit.head().seq;
    const viewer = createCaller(ctxFor(sessionFor('viewer'), services));
    const proof = await viewer.audit.prove({ seq: head });
    expect(proof.verifierKey).toMatch(/^nightcore\/audit\/[0-9a-f]{16}\+[0-9a-f]{8}\+/);
    expect(proof.bundle).toMatchObject({ type: 'nightcore.audit-inclusion/v1', treeSize: head, leafIndex: head - 1 });
    expect(await codeOf(viewer.audit.prove({ seq: 5 }))).toBe('FORBIDDEN');
    expect(await codeOf(createCaller(ctxFor(sessionFor('admin'), services)).audit.prove({ seq: 5 }))).toBe('OK');
    services.audit.append({ actor: 'user:op', action: 'run.decided', subject: 'run:new', payload: {} });
    expect(await codeOf(viewer.audit.prove({ seq: head + 1 }))).toBe('NOT_FOUND'); // not sealed yet
    expect(await codeOf(viewer.audit.prove({ seq: head + 50 }))).toBe('NOT_FOUND');
  });
});
