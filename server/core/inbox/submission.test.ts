import { describe, it, expect } from 'vitest';
import { expiryFor, observedState, transition, SUBMISSION_STATES, type SubmissionState } from './submission';
import { policyOf } from './test-support';

const created = new Date('2026-03-01T00:00:00.000Z');
const expiresAt = expiryFor(created, policyOf({ submission_ttl_hours: 2 }));
const before = new Date('2026-03-01T01:59:59.999Z');
const after = new Date('2026-03-01T02:00:00.000Z');

describe('submission state machine', () => {
  it('expiry is the policy ttl after creation', () => {
    expect(expiresAt.toISOString()).toBe('2026-03-01T02:00:00.000Z');
  });

  it.each(['approved', 'rejected', 'withdrawn', 'expired'] as const)('pending → %s', (to) => {
    expect(transition({ state: 'pending', expiresAt }, to, before)).toEqual({ ok: true, value: to });
  });

  it('never leaves a terminal state (a late approval cannot revive a rejection)', () => {
    for (const from of SUBMISSION_STATES.filter((s): s is Exclude<SubmissionState, 'pending'> => s !== 'pending')) {
      for (const to of ['approved', 'rejected', 'withdrawn', 'expired'] as const) {
        expect(transition({ state: from, expiresAt }, to, before)).toMatchObject({ ok: false, code: 'NOT_PENDING' });
      }
    }
  });

  it('a pending submission past its expiry can only expire', () => {
    expect(transition({ state: 'pending', expiresAt }, 'approved', after)).toMatchObject({ ok: false, code: 'EXPIRED' });
    expect(transition({ state: 'pending', expiresAt }, 'withdrawn', after)).toMatchObject({ ok: false, code: 'EXPIRED' });
    expect(transition({ state: 'pending', expiresAt }, 'expired', after)).toEqual({ ok: true, value: 'expired' });
  });

  it('readers see an overdue pending submission as expired before any sweep', () => {
    expect(observedState({ state: 'pending', expiresAt }, before)).toBe('pending');
    expect(observedState({ state: 'pending', expiresAt }, after)).toBe('expired');
    expect(observedState({ state: 'approved', expiresAt }, after)).toBe('approved');
  });
});
