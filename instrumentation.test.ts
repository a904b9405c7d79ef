/**
 * The console's start hook (instrumentation.ts) installs the forwarded-header guard with the
 * configured trust, and a malformed NIGHTCORE_TRUSTED_PROXIES stops the start.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { register } from './instrumentation';
import { getServices } from './server/services/instance';
import { CLIENT_HEADER } from './server/auth/forwarded-headers';

const saved = { ...process.env };
afterEach(async () => {
  const g = globalThis as { nightcoreServices?: { close(): Promise<void> } };
  await g.nightcoreServices?.close();
  delete g.nightcoreServices;
  process.env = { ...saved };
});

function startEnv(proxies: string) {
  process.env.NEXT_RUNTIME = 'nodejs';
  process.env.NIGHTCORE_DATA = mkdtempSync(join(tmpdir(), 'nc-instr-'));
  process.env.NIGHTCORE_ADMIN_PASSWORD = 'a-long-enough-admin-password';
  process.env.NIGHTCORE_TRUSTED_PROXIES = proxies;
  delete process.env.NIGHTCORE_POLICY;
}

describe('instrumentation register()', () => {
  it('refuses to start on a malformed NIGHTCORE_TRUSTED_PROXIES, naming it', async () => {
    startEnv('proxy.example');
    await expect(register()).rejects.toThrow(/NIGHTCORE_TRUSTED_PROXIES: "proxy.example"/);
  });

  it('refuses to start on any invalid setting, naming each with its fix, before opening anything', async () => {
    startEnv('');
    process.env.NIGHTCORE_POOL_SIZE = '0';
    process.env.NIGHTCORE_METRICS_TOKEN = 'short';
    const error = await register().then(() => undefined, (e: Error) => e);
    expect(error?.message).toContain('NIGHTCORE_POOL_SIZE: the value ("0") must be from 1 to 256. Fix:');
    expect(error?.message).toContain('NIGHTCORE_METRICS_TOKEN: the value is shorter than 16 characters. Fix:');
    expect((globalThis as { nightcoreServices?: unknown }).nightcoreServices).toBeUndefined();
  });

  it('guards every request of the process: a sprayed X-Forwarded-For never reaches a handler', async () => {
    startEnv('');
    await register();
    expect(getServices().handle.sqlite.pragma('busy_timeout', { simple: true })).toBe(20);
    const server = createServer((req, res) => res.end(JSON.stringify({ client: req.headers[CLIENT_HEADER], forwarded: req.headers['x-forwarded-for'] ?? null })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(await res.json()).toEqual({ client: '127.0.0.1', forwarded: null });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
