import { describe, it, expect } from 'vitest';
import { checkNewPassword, hashPassword, hashPasswordSync, verifyPassword, needsRehash, generatePassword, DEFAULT_PARAMS } from './password';

const FAST = { log2N: 10, r: 8, p: 1 }; // cheap parameters where the cost itself is not under test

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one (default parameters)', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const a = await hashPassword('same password here', FAST);
    const b = await hashPassword('same password here', FAST);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password here', a)).toBe(true);
    expect(await verifyPassword('same password here', b)).toBe(true);
  });

  it('the sync and async variants agree, and Unicode is normalised (NFC)', async () => {
    const stored = hashPasswordSync('caf\u00e9 au lait 12', FAST);
    expect(await verifyPassword('cafe\u0301 au lait 12', stored)).toBe(true);
  });

  it('refuses a tampered hash, salt or parameters instead of throwing', async () => {
    const stored = await hashPassword('a long enough password', FAST);
    const parts = stored.split('$');
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString('base64');
    };
    const variants = [
      [...parts.slice(0, 5), flip(parts[5]!)].join('$'), // hash changed
      [...parts.slice(0, 4), flip(parts[4]!), parts[5]].join('$'), // salt changed
      ['scrypt', '11', ...parts.slice(2)].join('$'), // cost changed
      ['scrypt', '30', ...parts.slice(2)].join('$'), // absurd cost: refused before any work
      ['scrypt', '10', '0', ...parts.slice(3)].join('$'),
      ['bcrypt', ...parts.slice(1)].join('$'),
      parts.slice(0, 5).join('$'),
      `${stored}$extra`,
      [...parts.slice(0, 5), 'AAAA'].join('$'), // truncated key
      [...parts.slice(0, 5), 'not base64!'].join('$'),
      '',
    ];
    for (const bad of variants) expect(await verifyPassword('a long enough password', bad), bad).toBe(false);
  });

  it('records its parameters so they can be raised later', async () => {
    const weak = await hashPassword('a long enough password', FAST);
    expect(weak.startsWith('scrypt$10$8$1$')).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(await hashPassword('a long enough password'))).toBe(false);
    expect(needsRehash('garbage')).toBe(true);
    expect(needsRehash(weak, { ...DEFAULT_PARAMS, log2N: 10 })).toBe(false);
  });

  it('requires at least 12 characters for new passwords and bounds the length', () => {
    expect(checkNewPassword('short').ok).toBe(false);
    const eleven = checkNewPassword('a'.repeat(11));
    expect(eleven.ok || eleven.code).toBe('PASSWORD_TOO_SHORT');
    expect(checkNewPassword('a'.repeat(12)).ok).toBe(true);
    const long = checkNewPassword('a'.repeat(257));
    expect(long.ok || long.code).toBe('PASSWORD_TOO_LONG');
  });

  it('generates passwords that pass the policy and differ', () => {
    const a = generatePassword();
    expect(checkNewPassword(a).ok).toBe(true);
    expect(a).not.toBe(generatePassword());
  });
});
