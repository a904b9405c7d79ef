/**
 * The key-id equality guard in checkSignatures: the envelope's keyid only SELECTS a stored key, and
 * a store that answers with a different key (a prefix or case-insensitive match, a stale cache)
 * must not lend that key's trust to the signature.
 */
import { describe, it, expect } from 'vitest';
import { signEd25519 } from '../crypto/ed25519';
import { checkSignatures } from './signers';
import { context, newKey, trusted } from './test-support';
import type { TrustedKey, VerifyContext } from './verify';

const MESSAGE = new TextEncoder().encode('the canonical manifest, as signed');

/** A careless store: answers the first key whose id starts with what was asked, ignoring case. */
function prefixMatchingStore(keys: TrustedKey[], over: Partial<VerifyContext> = {}): VerifyContext {
  return context(keys, { lookupKey: (id) => keys.find((k) => k.keyid.startsWith(id.toLowerCase())), ...over });
}

describe('checkSignatures: the key-id equality guard', () => {
  const publisher = newKey();
  const key = trusted(publisher, 'publisher');
  const sig = signEd25519(publisher.seed, MESSAGE);

  it('accepts the signature under its exact key id', () => {
    expect(checkSignatures([{ keyid: publisher.keyid, sig }], MESSAGE, prefixMatchingStore([key]))).toEqual({
      ok: true,
      value: [{ keyid: publisher.keyid, name: key.name, role: 'publisher' }],
    });
  });

  it.each([
    ['a 16-digit prefix', publisher.keyid.slice(0, 16)],
    ['an 8-digit prefix', publisher.keyid.slice(0, 8)],
    ['the id in upper case', publisher.keyid.toUpperCase()],
    ['the empty string', ''],
  ])('refuses a genuine signature named by %s when the store answers with the full key', (_what, keyid) => {
    const store = prefixMatchingStore([key]);
    expect(store.lookupKey(keyid)?.keyid).toBe(publisher.keyid); // the store really did answer with the key
    const result = checkSignatures([{ keyid, sig }], MESSAGE, store);
    expect(result).toMatchObject({ ok: false, code: 'UNTRUSTED_KEY' });
  });

  it('a signature named by another key id never borrows a trusted key (even when it verifies under it)', () => {
    const other = newKey();
    // The store maps the unknown id to the trusted publisher key: a mix-up, not trust.
    const store = context([key], { lookupKey: (id) => (id === other.keyid ? key : undefined) });
    const result = checkSignatures([{ keyid: other.keyid, sig }], MESSAGE, store);
    expect(result).toMatchObject({ ok: false, code: 'UNTRUSTED_KEY' });
    if (!result.ok) expect(result.message).toContain(other.keyid.slice(0, 16));
  });
});
