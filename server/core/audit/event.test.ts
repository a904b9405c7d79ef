import { describe, it, expect } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_ACTION_GROUPS, formatEventTime, GENESIS_HASH, isAuditAction, prepareInput, type AuditEventInput } from './event';

describe('audit actions', () => {
  it('flattens every group into one closed list, each action named after its domain', () => {
    expect(AUDIT_ACTIONS).toContain('run.decided');
    expect(AUDIT_ACTIONS).toContain('server.key_created');
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    for (const [group, actions] of Object.entries(AUDIT_ACTION_GROUPS)) {
      for (const a of actions) expect(a.startsWith(`${group}.`)).toBe(true);
    }
    expect(isAuditAction('key.added')).toBe(true);
    expect(isAuditAction('key.deleted')).toBe(false);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });
});

describe('prepareInput', () => {
  it('canonicalises the payload', () => {
    expect(prepareInput({ actor: 'user:a', action: 'key.added', subject: 'key:1', payload: { b: 1, a: [true, null] } })).toEqual({
      ok: true,
      value: { actor: 'user:a', action: 'key.added', subject: 'key:1', payload: '{"a":[true,null],"b":1}' },
    });
  });

  it('reports every problem at once', () => {
    const bad = { actor: '', action: 'nope', subject: 'x\ud800', payload: { n: NaN } } as unknown as AuditEventInput;
    const r = prepareInput(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('INVALID_ACTOR');
    expect(r.issues).toHaveLength(4);
    expect(r.issues?.join('\n')).toMatch(/actor must not be empty[\s\S]*"nope"[\s\S]*lone surrogates[\s\S]*NaN/);
  });

  it('refuses over-long names', () => {
    expect(prepareInput({ actor: 'a'.repeat(257), action: 'key.added', subject: 's', payload: null })).toMatchObject({ ok: false, code: 'INVALID_ACTOR' });
    expect(prepareInput({ actor: 'a', action: 'key.added', subject: 's'.repeat(1025), payload: null })).toMatchObject({ ok: false, code: 'INVALID_SUBJECT' });
  });
});

describe('formatEventTime', () => {
  it('gives ISO 8601 UTC with milliseconds and refuses invalid or out-of-range clocks', () => {
    expect(formatEventTime(new Date(Date.UTC(2025, 4, 6, 7, 8, 9, 10)))).toEqual({ ok: true, value: '2025-05-06T07:08:09.010Z' });
    expect(formatEventTime(new Date(NaN))).toMatchObject({ ok: false, code: 'INVALID_TIME' });
    expect(formatEventTime(new Date(Date.UTC(10000, 0, 1)))).toMatchObject({ ok: false, code: 'INVALID_TIME' });
  });
});
