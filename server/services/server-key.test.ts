import { describe, it, expect, afterEach } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { loadOrCreateServerKey, verifyEd25519Node, ServerKeyError, SERVER_KEY_FILE } from './server-key';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'nc-key-'));
  dirs.push(d);
  return d;
};
const posix = process.platform !== 'win32';

function expectKeyError(fn: () => unknown, code: string, message: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ServerKeyError);
    expect((e as ServerKeyError).code).toBe(code);
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a ServerKeyError');
}

describe('loadOrCreateServerKey', () => {
  it('creates the key on first start with mode 0600 and reuses it afterwards', () => {
    const dir = join(tempDir(), 'data');
    const first = loadOrCreateServerKey(dir, { now: () => new Date(Date.UTC(2025, 0, 1)) });
    const file = join(dir, SERVER_KEY_FILE);
    expect(first.created).toBe(true);
    expect(first.createdAt).toBe('2025-01-01T00:00:00.000Z');
    if (posix) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.publicKey).toHaveLength(32);
    expect(first.keyid).toBe(createHash('sha256').update(first.publicKey).digest('hex'));
    expect(readdirSync(dir)).toEqual([SERVER_KEY_FILE]); // no temp file left behind

    const again = loadOrCreateServerKey(dir);
    expect(again.created).toBe(false);
    expect(again.keyid).toBe(first.keyid);
    const message = new TextEncoder().encode('checkpoint');
    const signature = first.sign(message);
    expect(verifyEd25519Node(again.publicKey, message, again.sign(message))).toBe(true);
    expect(verifyEd25519Node(again.publicKey, message, signature)).toBe(true);
    expect(verifyEd25519Node(again.publicKey, new TextEncoder().encode('other'), signature)).toBe(false);
    expect(verifyEd25519Node(again.publicKey.subarray(1), message, signature)).toBe(false);
  });

  it.runIf(posix)('refuses (does not repair) a key file that group or others can read', () => {
    const dir = tempDir();
    loadOrCreateServerKey(dir);
    const file = join(dir, SERVER_KEY_FILE);
    chmodSync(file, 0o640);
    expectKeyError(() => loadOrCreateServerKey(dir), 'KEY_FILE_INSECURE', /mode 640.*chmod 600/);
    expect(statSync(file).mode & 0o777).toBe(0o640); // left as found, for the operator to look at
    chmodSync(file, 0o600);
    expect(loadOrCreateServerKey(dir).created).toBe(false);
  });

  it.runIf(posix)('refuses a symbolic link in place of the key file', () => {
    const real = tempDir();
    loadOrCreateServerKey(real);
    const dir = tempDir();
    symlinkSync(join(real, SERVER_KEY_FILE), join(dir, SERVER_KEY_FILE));
    expectKeyError(() => loadOrCreateServerKey(dir), 'KEY_FILE_INSECURE', /symbolic link/);
  });

  it.runIf(posix)('refuses a key file owned by another user, and accepts it again for its owner', () => {
    const dir = tempDir();
    loadOrCreateServerKey(dir);
    const owner = statSync(join(dir, SERVER_KEY_FILE)).uid;
    // Another account planted (or still owns) the file: refuse, even with mode 0600.
    expectKeyError(() => loadOrCreateServerKey(dir, { currentUid: () => owner + 1 }), 'KEY_FILE_INSECURE', new RegExp(`owned by uid ${owner}, not by this user \\(uid ${owner + 1}\\)`));
    expect(loadOrCreateServerKey(dir, { currentUid: () => owner }).created).toBe(false);
  });

  it('refuses a corrupted or edited key file', () => {
    const dir = tempDir();
    loadOrCreateServerKey(dir);
    const file = join(dir, SERVER_KEY_FILE);
    const content = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    const write = (text: string) => writeFileSync(file, text, { mode: 0o600 });
    write(JSON.stringify({ ...content, publicKey: Buffer.alloc(32, 1).toString('base64') }));
    expectKeyError(() => loadOrCreateServerKey(dir), 'KEY_FILE_INVALID', /publicKey does not match/);
    write(JSON.stringify({ ...content, keyid: '0'.repeat(64) }));
    expectKeyError(() => loadOrCreateServerKey(dir), 'KEY_FILE_INVALID', /keyid does not match/);
    write(JSON.stringify({ ...content, seed: 'AAAA' }));
    expectKeyError(() => loadOrCreateServerKey(dir), 'KEY_FILE_INVALID', /seed is not 32 bytes/);
    write('{ not json');
    expectKeyError(() => loadOrCreateServerKey(dir), 'KEY_FILE_INVALID', /not valid JSON/);
    write(JSON.stringify({ ...content, type: 'something/else' }));
    expectKeyError(() => loadOrCreateServerKey(dir), 'KEY_FILE_INVALID', /not a nightcore.server-key\/v1 file/);
  });
});
