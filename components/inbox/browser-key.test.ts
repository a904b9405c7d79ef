import { describe, it, expect } from 'vitest';
import { canonicalStatement, openStatement, signingBytes as coreSigningBytes, type TApprovalStatement } from '@/server/core/inbox';
import { canonicalText, signingBytes, fromBase64 } from './approval-statement';
import { createBrowserKey, signWithBrowserKey, loadKey, saveKey } from './browser-key';

const statement: TApprovalStatement = {
  format: 'nightcore.approval/v1',
  subject: 'submission:7f1c0c7e-3f55-4d39-9a52-0c0a3f1f2b11',
  wasmSha256: 'a'.repeat(64),
  manifestSha256: 'b'.repeat(64),
  policy: { name: 'default', revision: 2 },
  decision: 'approve',
  reason: 'Ünïcödé reason — with "quotes"',
  time: '2026-03-01T12:00:00.000Z',
};

class MemoryStorage {
  private m = new Map<string, string>();
  getItem = (k: string) => this.m.get(k) ?? null;
  setItem = (k: string, v: string) => void this.m.set(k, v);
}

describe('browser approval key', () => {
  it('builds exactly the bytes the server verifies', () => {
    const core = canonicalStatement(statement);
    if (!core.ok) throw new Error(core.message);
    expect(canonicalText(statement)).toBe(core.value);
    expect(signingBytes(core.value)).toEqual(coreSigningBytes(core.value));
  });

  it('a statement signed in the browser opens with the registered public key on the server', async () => {
    const key = await createBrowserKey('correct horse battery staple');
    const signed = await signWithBrowserKey(key, 'correct horse battery staple', statement);
    const opened = openStatement(signed, fromBase64(key.publicKey));
    expect(opened.ok && opened.value.statement).toEqual(statement);
  });

  it('keeps the private key only sealed: nothing stored holds the seed, and a wrong passphrase does not sign', async () => {
    const key = await createBrowserKey('correct horse battery staple');
    const storage = new MemoryStorage();
    saveKey(storage as unknown as Storage, 'alice', key);
    const loaded = loadKey(storage as unknown as Storage, 'alice');
    expect(loaded).toEqual(key);
    expect(Object.keys(key).sort()).toEqual(['format', 'iterations', 'iv', 'keyid', 'publicKey', 'salt', 'sealed']);
    await expect(signWithBrowserKey(key, 'wrong passphrase!!', statement)).rejects.toThrow('wrong passphrase');
    await expect(createBrowserKey('short')).rejects.toThrow(/at least/);
  });
});
