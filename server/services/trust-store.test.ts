/**
 * Finding a key to revoke by a prefix of its id: at least 8 hex digits, and a prefix that matches
 * more than one key is refused (KEY_AMBIGUOUS) rather than revoking whichever row came first.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { generateKeyPair } from '../core/crypto/ed25519';
import { memoryServices } from '../api/test-support';
import { trustKeys } from '../../db/schema';
import { TrustStore } from './trust-store';
import type { DbHandle } from '../../db/client';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));

function setup() {
  const { services, handle } = memoryServices();
  handles.push(handle);
  const store = new TrustStore(handle.db, services.audit, () => new Date('2025-03-01T00:00:00Z'));
  /**
   * Rows whose ids share a prefix. Two real keys sharing 8 hex digits of SHA-256 would take ~2^32
   * tries to find, so these rows are written directly: find() only looks at the id column.
   */
  const plant = (keyid: string, name: string) =>
    handle.db
      .insert(trustKeys)
      .values({ keyid, name, role: 'publisher', publicKey: Buffer.alloc(32, 1).toString('base64'), status: 'active', addedBy: 'test', addedAt: new Date(0) })
      .run();
  const revokedEvents = () => {
    const page = services.audit.page({ action: 'key.revoked' });
    return page.ok ? page.value.events.length : -1;
  };
  return { store, plant, revokedEvents };
}

describe('TrustStore.find / revoke by key-id prefix', () => {
  it('needs at least 8 hex digits: 7 are refused even when they are unique', () => {
    const { store } = setup();
    const added = store.add({ publicKey: generateKeyPair().publicKey, role: 'publisher', name: 'alice' }, 'test');
    if (!added.ok) throw new Error(added.message);
    const keyid = added.value.keyid;
    expect(store.find(keyid.slice(0, 7))).toMatchObject({ ok: false, code: 'KEY_NOT_FOUND', message: expect.stringContaining('at least 8 hex digits') });
    expect(store.find(keyid.slice(0, 8))).toMatchObject({ ok: true, value: { keyid } });
    expect(store.find(keyid.slice(0, 8).toUpperCase())).toMatchObject({ ok: true, value: { keyid } });
    expect(store.find(keyid)).toMatchObject({ ok: true, value: { keyid } });
  });

  it.each([
    ['LIKE wildcards', 'abcdef0%'],
    ['an underscore wildcard', 'abcdef0_'],
    ['non-hex', 'abcdefgh'],
    ['too long', 'a'.repeat(65)],
  ])('refuses %s as a key id', (_what, input) => {
    const { store, plant } = setup();
    plant(`abcdef01${'0'.repeat(56)}`, 'planted');
    expect(store.find(input)).toMatchObject({ ok: false, code: 'KEY_NOT_FOUND' });
  });

  it('KEY_AMBIGUOUS when the prefix matches two keys; revoke changes nothing and records nothing', () => {
    const { store, plant, revokedEvents } = setup();
    const a = `deadbeef${'1'.repeat(56)}`;
    const b = `deadbeef${'2'.repeat(56)}`;
    plant(a, 'first');
    plant(b, 'second');
    expect(store.find('deadbeef')).toMatchObject({ ok: false, code: 'KEY_AMBIGUOUS', message: expect.stringContaining('give more digits') });
    expect(store.revoke('deadbeef', 'compromised', 'test')).toMatchObject({ ok: false, code: 'KEY_AMBIGUOUS' });
    expect(store.list().map((k) => k.status)).toEqual(['active', 'active']);
    expect(revokedEvents()).toBe(0);
    // One more digit tells them apart.
    expect(store.revoke('deadbeef2', 'compromised', 'test')).toMatchObject({ ok: true, value: { keyid: b, status: 'revoked' } });
    expect(store.list().find((k) => k.keyid === a)?.status).toBe('active');
    expect(revokedEvents()).toBe(1);
  });
});
