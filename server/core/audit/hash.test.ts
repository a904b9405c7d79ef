import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { canonicalEventText, eventHash } from './hash';
import { canonicalPayload } from './canonical-payload';
import { GENESIS_HASH } from './event';
import { randomJson, randomString, seededRandom } from './test-support';

describe('eventHash', () => {
  it('hashes exactly the RFC 8785 canonical form of {seq,time,actor,action,subject,payload,prev} (1,000 random events)', () => {
    const rand = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const payloadValue = randomJson(rand);
      const payload = canonicalPayload(payloadValue);
      if (!payload.ok) throw new Error(payload.message);
      const e = {
        seq: 1 + Math.floor(rand() * 1e12),
        time: new Date(Math.floor(rand() * 4e12)).toISOString(),
        actor: randomString(rand, 20) || 'x',
        action: 'module.imported',
        subject: randomString(rand, 30) || 'y',
        payload: payload.value,
        prevHash: i === 0 ? GENESIS_HASH : createHash('sha256').update(String(i)).digest('hex'),
      };
      const expected = canonicalize({ seq: e.seq, time: e.time, actor: e.actor, action: e.action, subject: e.subject, payload: payloadValue, prev: e.prevHash });
      expect(canonicalEventText(e)).toBe(expected);
      expect(eventHash(e)).toBe(createHash('sha256').update(expected!, 'utf8').digest('hex'));
    }
  });

  it('changes when any single field changes', () => {
    const base = { seq: 7, time: '2025-01-01T00:00:00.000Z', actor: 'a', action: 'key.added', subject: 's', payload: '{}', prevHash: GENESIS_HASH };
    const h = eventHash(base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    const variants = [{ seq: 8 }, { time: '2025-01-01T00:00:00.001Z' }, { actor: 'b' }, { action: 'key.revoked' }, { subject: 't' }, { payload: '{"a":1}' }, { prevHash: '1'.repeat(64) }];
    for (const v of variants) expect(eventHash({ ...base, ...v })).not.toBe(h);
  });
});
