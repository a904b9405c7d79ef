import { describe, it, expect } from 'vitest';
import { attentionItems, pendingApprovalsAttention } from './attention';

const verified = { seq: 10, time: '2026-12-02T10:00:00.000Z', actor: 'user:admin', ok: true, events: 10, code: null };
const base = {
  quarantinedActive: 0,
  inboxAvailable: false,
  pendingInbox: 0,
  audit: { headSeq: 10, headHash: 'ab', checkpoint: null, lastVerification: verified as typeof verified | null },
};

describe('attentionItems', () => {
  it('is empty when nothing is quarantined and the chain verified', () => {
    expect(attentionItems(base)).toEqual([]);
  });
  it('flags quarantine above zero with a correct plural', () => {
    expect(attentionItems({ ...base, quarantinedActive: 1 })[0]).toMatchObject({ id: 'quarantine', text: '1 module version is in quarantine.', href: '/quarantine' });
    expect(attentionItems({ ...base, quarantinedActive: 1200 })[0]?.text).toBe('1,200 module versions are in quarantine.');
  });
  it('flags a chain never verified, broken (with its code), or unreadable', () => {
    expect(attentionItems({ ...base, audit: { ...base.audit, lastVerification: null } })).toEqual([
      expect.objectContaining({ id: 'chain', tone: 'warn', text: 'The audit chain has not been verified yet.' }),
    ]);
    const broken = { ...verified, ok: false, code: 'HASH_MISMATCH' } as never;
    expect(attentionItems({ ...base, audit: { ...base.audit, lastVerification: broken } })[0]).toMatchObject({ tone: 'bad', text: 'The audit chain failed verification (HASH_MISMATCH).' });
    const unreadable = { ...verified, ok: null } as never;
    expect(attentionItems({ ...base, audit: { ...base.audit, lastVerification: unreadable } })[0]?.text).toBe('The last audit chain verification could not be read.');
  });
  it('says nothing about approvals until an inbox exists, then counts them', () => {
    expect(pendingApprovalsAttention({ inboxAvailable: false, pendingInbox: 3 })).toBeNull();
    expect(pendingApprovalsAttention({ inboxAvailable: true, pendingInbox: 0 })).toBeNull();
    expect(pendingApprovalsAttention({ inboxAvailable: true, pendingInbox: 1 })?.text).toBe('1 approval is waiting for a decision.');
    expect(attentionItems({ ...base, inboxAvailable: true, pendingInbox: 2 }).map((i) => i.id)).toEqual(['approvals']);
  });
});
