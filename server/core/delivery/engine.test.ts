import { describe, expect, it } from 'vitest';
import { deliverStep, deliveryLagOf, type DeliveryPorts } from './engine';
import { backoffDelayMs } from './backoff';
import { eventFilter } from './event-filter';
import { DeliveryError, type AttemptRecord, type DestinationState } from './types';
import type { AuditEvent } from '../audit/event';

const ev = (seq: number, action = 'run.decided'): AuditEvent => ({
  seq, time: new Date(1_000_000 + seq * 1000).toISOString(), actor: 'a', action, subject: 's', payload: '{}', prevHash: '0'.repeat(64), hash: String(seq).padStart(64, '0'),
});

function harness(events: AuditEvent[]) {
  let state: DestinationState = { id: 'd', kind: 'hec', cursor: 0, failures: 0, nextAttemptAt: null };
  const attempts: AttemptRecord[] = [];
  let clock = 10_000_000;
  const ports: DeliveryPorts = {
    events: (after, limit) => events.filter((e) => e.seq > after).slice(0, limit),
    advance: (_id, from, to, attempt) => {
      if (state.cursor !== from) return false;
      state = { ...state, cursor: to, failures: 0, nextAttemptAt: null };
      if (attempt) attempts.push(attempt);
      return true;
    },
    failed: (_id, failures, next, attempt) => {
      state = { ...state, failures, nextAttemptAt: next };
      attempts.push(attempt);
    },
    now: () => clock,
    random: () => 0.5,
  };
  return { ports, attempts, get state() { return state; }, set state(s) { state = s; }, tick: (ms: number) => (clock += ms), get now() { return clock; } };
}

describe('deliverStep', () => {
  it('delivers in seq order, in batches, and advances the cursor only after the send', async () => {
    const h = harness([1, 2, 3, 4, 5].map((s) => ev(s)));
    const sent: number[][] = [];
    const transport = { send: async (b: readonly AuditEvent[]) => { expect(h.state.cursor).toBe(sent.flat().length); sent.push(b.map((e) => e.seq)); return {}; } };
    expect(await deliverStep(h.state, transport, h.ports, { batchSize: 2 })).toMatchObject({ kind: 'delivered', events: 2, cursor: 2 });
    await deliverStep(h.state, transport, h.ports, { batchSize: 2 });
    await deliverStep(h.state, transport, h.ports, { batchSize: 2 });
    expect(await deliverStep(h.state, transport, h.ports, { batchSize: 2 })).toEqual({ kind: 'idle' });
    expect(sent).toEqual([[1, 2], [3, 4], [5]]);
    expect(h.attempts.map((a) => [a.firstSeq, a.lastSeq, a.ok])).toEqual([[1, 2, true], [3, 4, true], [5, 5, true]]);
  });

  it('a failure keeps the cursor, logs the error and backs off; the retry resends the same batch', async () => {
    const h = harness([ev(1), ev(2)]);
    let fail = true;
    const sent: number[][] = [];
    const transport = { send: async (b: readonly AuditEvent[]) => { sent.push(b.map((e) => e.seq)); if (fail) throw new DeliveryError('HTTP 503', 503); return { httpStatus: 200 }; } };
    const first = await deliverStep(h.state, transport, h.ports, { batchSize: 10 });
    expect(first).toMatchObject({ kind: 'failed', error: 'HTTP 503' });
    expect(h.state).toMatchObject({ cursor: 0, failures: 1 });
    expect(h.attempts[0]).toMatchObject({ ok: false, httpStatus: 503, error: 'HTTP 503', attempt: 1 });
    // before the backoff elapses nothing is sent
    expect(await deliverStep(h.state, transport, h.ports, { batchSize: 10 })).toMatchObject({ kind: 'waiting' });
    h.tick(750); // random 0.5 → 750 ms after the first failure (base 1000)
    await deliverStep(h.state, transport, h.ports, { batchSize: 10 });
    expect(h.state.failures).toBe(2);
    expect(h.state.nextAttemptAt! - h.now).toBe(1500);
    h.tick(1500);
    fail = false;
    expect(await deliverStep(h.state, transport, h.ports, { batchSize: 10 })).toMatchObject({ kind: 'delivered', cursor: 2 });
    expect(sent).toEqual([[1, 2], [1, 2], [1, 2]]);
    expect(h.state).toMatchObject({ failures: 0, nextAttemptAt: null });
    expect(h.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
  });

  it('a filter skips events without an attempt and never sends them', async () => {
    const h = harness([ev(1, 'auth.login'), ev(2, 'module.quarantined'), ev(3, 'auth.login'), ev(4, 'auth.logout')]);
    const sent: number[] = [];
    const transport = { send: async (b: readonly AuditEvent[]) => { sent.push(...b.map((e) => e.seq)); return {}; } };
    const accepts = eventFilter(['quarantines']);
    expect(await deliverStep(h.state, transport, h.ports, { batchSize: 1, accepts })).toMatchObject({ kind: 'delivered', cursor: 2 });
    expect(await deliverStep(h.state, transport, h.ports, { batchSize: 1, accepts })).toEqual({ kind: 'skipped', cursor: 4 });
    expect(sent).toEqual([2]);
    expect(h.attempts).toHaveLength(1);
  });

  it('a cursor moved by another process meanwhile is not moved back', async () => {
    const h = harness([ev(1), ev(2)]);
    const stale = h.state;
    const transport = { send: async () => { h.state = { ...h.state, cursor: 2 }; return {}; } };
    expect(await deliverStep(stale, transport, h.ports, { batchSize: 10 })).toEqual({ kind: 'raced' });
    expect(h.state.cursor).toBe(2);
  });

  it('a thrown non-Error still becomes a logged failure', async () => {
    const h = harness([ev(1)]);
    const out = await deliverStep(h.state, { send: () => Promise.reject('socket gone') }, h.ports, { batchSize: 1 });
    expect(out).toMatchObject({ kind: 'failed', error: 'socket gone' });
  });
});

describe('backoff and lag', () => {
  it('grows exponentially, stays within [step/2, step] and is capped', () => {
    const opts = { baseMs: 1000, maxMs: 60_000 };
    for (let n = 1; n <= 12; n++) {
      const step = Math.min(60_000, 1000 * 2 ** (n - 1));
      expect(backoffDelayMs(n, opts, () => 0)).toBe(step / 2);
      expect(backoffDelayMs(n, opts, () => 0.999999)).toBeLessThanOrEqual(step);
    }
    expect(backoffDelayMs(10_000, opts, () => 1)).toBe(60_000);
    expect(() => backoffDelayMs(0)).toThrow(RangeError);
  });

  it('jitter spreads destinations that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(5)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('lag is counted in events and in seconds since the oldest undelivered event', () => {
    expect(deliveryLagOf({ cursor: 10, headSeq: 10, oldestPendingTime: undefined, nowMs: 0 })).toEqual({ events: 0, seconds: 0 });
    expect(deliveryLagOf({ cursor: 4, headSeq: 10, oldestPendingTime: '2026-01-01T00:00:00.000Z', nowMs: Date.parse('2026-01-01T00:01:30.000Z') })).toEqual({ events: 6, seconds: 90 });
  });
});
