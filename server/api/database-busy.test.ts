/**
 * Another process holds the database's write lock (a CLI command, a backup, a stuck transaction):
 * the console must answer quickly with a retryable 503, not freeze its only thread for 5 seconds
 * per request and then fail with a 500. Reads keep working (WAL), and nothing is half-written.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { generateKeyPair } from '../core/crypto/ed25519';
import { encodePublicKeyFile } from '../core/crypto/keys';
import { getServices, SERVING_BUSY_TIMEOUT_MS } from '../services/instance';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openHarness, type Harness } from '../services/test-fixtures';
import { openDatabase, setBusyTimeout, DEFAULT_BUSY_TIMEOUT_MS } from '../../db/client';
import { handleTRPCRequest } from './http';
import { ctxFor, sessionFor } from './test-support';
import { isDatabaseBusy } from './database-busy';
import { handleUploadRequest, UPLOAD_HEADER } from './upload-http';
import { HELLO } from '../core/sandbox/test-modules';
import { readdirSync, readFileSync } from 'node:fs';

describe('a database locked by another connection', () => {
  let h: Harness;
  let other: Database.Database;
  beforeAll(() => {
    h = openHarness();
    setBusyTimeout(h.services.handle.sqlite, SERVING_BUSY_TIMEOUT_MS); // as services/instance.ts does once started
    other = new Database(join(h.dataDir, 'nightcore.db'));
  });
  afterAll(async () => {
    other.close();
    await h.services.close();
  });

  const call = (path: string, body?: unknown) =>
    handleTRPCRequest(
      new Request(`http://localhost:3000/api/trpc/${path}${body === undefined ? '' : ''}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { host: 'localhost:3000', origin: 'http://localhost:3000', 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
      async () => ctxFor(sessionFor('admin', 'root'), h.services),
      () => undefined,
    );
  const addKey = () => call('keys.add', { publicKey: encodePublicKeyFile(generateKeyPair().publicKey), role: 'publisher', name: 'while locked' });

  it('the console connection waits milliseconds, the CLI the usual 5 s', () => {
    expect(h.services.handle.sqlite.pragma('busy_timeout', { simple: true })).toBe(SERVING_BUSY_TIMEOUT_MS);
    expect(SERVING_BUSY_TIMEOUT_MS).toBeLessThanOrEqual(50);
    const cli = openDatabase(h.dataDir);
    expect(cli.sqlite.pragma('busy_timeout', { simple: true })).toBe(DEFAULT_BUSY_TIMEOUT_MS);
    for (const bad of [-1, 1.5, 60_001, Number.NaN]) expect(() => setBusyTimeout(cli.sqlite, bad)).toThrow(RangeError);
    cli.close();
  });

  it('the console services lower the wait once started', async () => {
    const saved = { ...process.env };
    process.env.NIGHTCORE_DATA = mkdtempSync(join(tmpdir(), 'nc-serving-'));
    process.env.NIGHTCORE_ADMIN_PASSWORD = 'a-long-enough-admin-password';
    delete process.env.NIGHTCORE_POLICY;
    try {
      const services = getServices();
      expect(services.handle.sqlite.pragma('busy_timeout', { simple: true })).toBe(SERVING_BUSY_TIMEOUT_MS);
      await services.close();
    } finally {
      process.env = saved;
      delete (globalThis as { nightcoreServices?: unknown }).nightcoreServices;
    }
  });

  it('a mutation gets 503 DATABASE_BUSY with Retry-After and changes nothing; reads still work; after the lock, it succeeds', async () => {
    const keysBefore = h.services.trust.list().length;
    const eventsBefore = h.services.audit.head().seq;
    other.exec('BEGIN IMMEDIATE'); // the write lock, held
    try {
      const refused = await addKey();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      const body = (await refused.json()) as { error: { message: string; data: { code: string; trpcCode: string; httpStatus: number } } };
      expect(body.error.data).toMatchObject({ code: 'DATABASE_BUSY', trpcCode: 'SERVICE_UNAVAILABLE', httpStatus: 503 });
      expect(body.error.message).toContain('try again');
      const read = await call('keys.list');
      expect(read.status).toBe(200);
    } finally {
      other.exec('ROLLBACK');
    }
    expect(h.services.trust.list().length).toBe(keysBefore);
    expect(h.services.audit.head().seq).toBe(eventsBefore);
    const retried = await addKey();
    expect(retried.status).toBe(200);
    expect(h.services.trust.list().length).toBe(keysBefore + 1);
  });

  it('an upload during the lock is a 503 DATABASE_BUSY, and imports nothing', async () => {
    const dir = h.bundle(HELLO, { name: 'locked-upload', version: '1.0.0', capabilities: ['stdout'] });
    const upload = () => {
      const form = new FormData();
      for (const name of readdirSync(dir)) form.append('files', new Blob([readFileSync(join(dir, name))]), name);
      const request = new Request('http://localhost:3000/api/modules/upload', { method: 'POST', headers: { host: 'localhost:3000', origin: 'http://localhost:3000', [UPLOAD_HEADER]: '1' }, body: form });
      return handleUploadRequest(request, { user: async () => sessionFor('operator', 'olga'), services: () => h.services });
    };
    other.exec('BEGIN IMMEDIATE');
    try {
      const refused = await upload();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ ok: false, error: { code: 'DATABASE_BUSY' } });
    } finally {
      other.exec('ROLLBACK');
    }
    expect(h.services.modules.find('locked-upload', '1.0.0')).toBeUndefined();
    expect((await upload()).status).toBe(200);
  });

  it('recognises SQLITE_BUSY and its extended codes anywhere in a cause chain, and nothing else', () => {
    expect(isDatabaseBusy(Object.assign(new Error('x'), { code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isDatabaseBusy({ cause: { cause: { code: 'SQLITE_BUSY_SNAPSHOT' } } })).toBe(true);
    for (const other of [undefined, null, new Error('x'), { code: 'SQLITE_CONSTRAINT' }, { code: 42 }]) expect(isDatabaseBusy(other)).toBe(false);
  });
});
