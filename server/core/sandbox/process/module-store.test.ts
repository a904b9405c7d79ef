/**
 * The jail's module store (module-store.mjs): keyed by the digest it computes itself, so a run
 * without bytes gets the module made from bytes with that digest or `need`, never another module.
 */
import { describe, it, expect } from 'vitest';
import * as m from '../test-modules';
import { createModuleStore, digestOf } from './module-store.mjs';

const A = m.says('module a');
const B = m.says('module b');
const C = m.says('module c');

describe('the jail module store', () => {
  it('answers need for a digest it was never sent, then holds it once sent', () => {
    const store = createModuleStore(4);
    expect(store.take(digestOf(A), undefined)).toEqual({ kind: 'need' });
    const first = store.take(digestOf(A), A);
    expect(first.kind === 'module' && first.digest).toBe(digestOf(A));
    const again = store.take(digestOf(A), undefined);
    expect(again.kind === 'module' && again.module).toBe(first.kind === 'module' && first.module);
  });

  it('refuses bytes sent under another module\'s digest and keeps nothing under either', () => {
    const store = createModuleStore(4);
    const forged = store.take(digestOf(A), B);
    expect(forged.kind).toBe('error');
    expect(forged.kind === 'error' && forged.message).toContain(digestOf(B));
    expect(store.take(digestOf(A), undefined)).toEqual({ kind: 'need' });
    expect(store.take(digestOf(B), undefined)).toEqual({ kind: 'need' });
    expect(store.digests()).toEqual([]);
  });

  it('evicts the least recently used module and then asks for it again', () => {
    const store = createModuleStore(2);
    store.take(digestOf(A), A);
    store.take(digestOf(B), B);
    expect(store.take(digestOf(A), undefined).kind).toBe('module'); // A is now the most recent
    store.take(digestOf(C), C); // evicts B
    expect(store.digests()).toEqual([digestOf(A), digestOf(C)]);
    expect(store.take(digestOf(B), undefined)).toEqual({ kind: 'need' });
    expect(store.take(digestOf(A), undefined).kind).toBe('module');
  });

  it('does not cache bytes that fail to compile, and names no digest for a malformed run', () => {
    const store = createModuleStore(2);
    const junk = new Uint8Array([0, 0x61, 0x73, 0x6d, 9, 9, 9, 9]);
    expect(() => store.take(digestOf(junk), junk)).toThrow();
    expect(store.digests()).toEqual([]);
    expect(store.take(undefined as unknown as string, A).kind).toBe('error');
  });
});
