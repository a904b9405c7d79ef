/** The tRPC endpoint over HTTP: CSRF refusal, role errors, domain error codes, no leaked stacks. */
import { describe, it, expect, afterEach } from 'vitest';
import { TRPCError } from '@trpc/server';
import { handleTRPCRequest, MAX_BODY_BYTES } from './http';
import { formatError, DomainError } from './errors';
import { ctxFor, memoryServices, sessionFor } from './test-support';
import type { Role } from '../core/access/rbac';
import type { DbHandle } from '../../db/client';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));

function endpoint(role: Role | null) {
  const { services, handle } = memoryServices();
  handles.push(handle);
  const logged: unknown[] = [];
  const call = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    handleTRPCRequest(
      new Request(`http://localhost:3000/api/trpc/${path}`, {
        method: 'POST',
        headers: { host: 'localhost:3000', origin: 'http://localhost:3000', 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
      async () => ctxFor(role ? sessionFor(role, role === 'admin' ? 'root' : `a-${role}`) : null, services),
      (_m, e) => logged.push(e),
    );
  return { call, logged };
}

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { message: string; data: Record<string, unknown> } };
  return body.error;
}

describe('tRPC over HTTP', () => {
  it('an admin creates a user; a duplicate is 409 with the domain code in data.code', async () => {
    const { call } = endpoint('admin');
    const ok = await call('users.create', { username: 'alice', role: 'viewer', password: 'a-good-long-password' });
    expect(ok.status).toBe(200);
    const created = (await ok.json()) as { result: { data: { user: { username: string; createdBy: string }; generatedPassword?: string } } };
    expect(created.result.data.user).toMatchObject({ username: 'alice', createdBy: 'user:root' });
    expect(created.result.data.generatedPassword).toBeUndefined();
    const dup = await call('users.create', { username: 'alice', role: 'viewer', password: 'a-good-long-password' });
    expect(dup.status).toBe(409);
    const e = await errorOf(dup);
    expect(e.data).toMatchObject({ code: 'USER_EXISTS', trpcCode: 'CONFLICT', httpStatus: 409 });
    expect(JSON.stringify(e)).not.toContain('stack');
  });

  it('generates a password when none is given and returns it once', async () => {
    const { call } = endpoint('admin');
    const res = await call('users.create', { username: 'bob', role: 'operator' });
    const body = (await res.json()) as { result: { data: { generatedPassword?: string } } };
    expect(body.result.data.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it('bad input is 400 with the issues listed; unknown users are 404', async () => {
    const { call } = endpoint('admin');
    const bad = await errorOf(await call('users.setRole', { username: 'x', role: 'root' }));
    expect(bad.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    expect((bad.data.issues as string[]).some((i) => i.startsWith('role:'))).toBe(true);
    const missing = await errorOf(await call('users.disable', { username: 'nobody' }));
    expect(missing.data).toMatchObject({ code: 'USER_NOT_FOUND', trpcCode: 'NOT_FOUND', httpStatus: 404 });
  });

  it('a viewer gets 403 FORBIDDEN (never 500), a stranger 401', async () => {
    const viewer = await endpoint('viewer').call('users.create', { username: 'eve', role: 'admin' });
    expect(viewer.status).toBe(403);
    expect((await errorOf(viewer)).data).toMatchObject({ code: 'FORBIDDEN' });
    const anon = await endpoint(null).call('users.create', { username: 'eve', role: 'admin' });
    expect(anon.status).toBe(401);
  });

  it('refuses a body over the size limit with 413, declared or streamed, and still serves normal calls', async () => {
    const { services, handle } = memoryServices();
    handles.push(handle);
    const context = async () => ctxFor(sessionFor('admin', 'root'), services);
    const post = (body: BodyInit, headers: Record<string, string> = {}) =>
      handleTRPCRequest(
        new Request('http://localhost:3000/api/trpc/users.create', {
          method: 'POST',
          headers: { host: 'localhost:3000', origin: 'http://localhost:3000', 'content-type': 'application/json', ...headers },
          body,
          duplex: 'half',
        } as RequestInit),
        context,
      );
    expect((await post('{}', { 'content-length': String(MAX_BODY_BYTES + 1) })).status).toBe(413);
    const oversized = new ReadableStream<Uint8Array>({
      start(controller) {
        const chunk = new Uint8Array(1024 * 1024).fill(0x20);
        for (let i = 0; i <= MAX_BODY_BYTES / chunk.length; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const streamed = await post(oversized);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { data: { code: 'PAYLOAD_TOO_LARGE' } } });
    const normal = await post(JSON.stringify({ username: 'sized-ok', role: 'viewer' }));
    expect(normal.status).toBe(200);
  });

  it('refuses a cross-site mutation with 403 before any procedure runs', async () => {
    const { call } = endpoint('admin');
    const res = await call('users.create', { username: 'mallory', role: 'admin' }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).data).toMatchObject({ code: 'CSRF_REJECTED' });
    const list = await call('users.create', { username: 'mallory', role: 'admin' }, { 'content-type': 'text/plain' });
    expect(list.status).toBe(403);
  });
});

describe('formatError', () => {
  const shape = (code: TRPCError['code'], httpStatus: number) => ({
    message: 'original message',
    code: -32000,
    data: { code, httpStatus, path: 'x.y', stack: 'Error: at secret/file.ts:1:1' },
  });

  it('keeps FORBIDDEN as FORBIDDEN and drops the stack', () => {
    const f = formatError({ shape: shape('FORBIDDEN', 403), error: new TRPCError({ code: 'FORBIDDEN', message: 'no' }) });
    expect(f.data).toEqual({ code: 'FORBIDDEN', trpcCode: 'FORBIDDEN', httpStatus: 403, path: 'x.y', issues: [] });
    expect(JSON.stringify(f)).not.toContain('secret/file.ts');
  });

  it('hides the message of unexpected errors', () => {
    const error = new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: new Error('SQLITE_CORRUPT at /var/data/nightcore.db') });
    const f = formatError({ shape: { ...shape('INTERNAL_SERVER_ERROR', 500), message: 'SQLITE_CORRUPT at /var/data/nightcore.db' }, error });
    expect(f.message).toBe('internal error');
    expect(JSON.stringify(f)).not.toContain('/var/data');
  });

  it('puts the domain code and issues in data', () => {
    const error = new TRPCError({ code: 'BAD_REQUEST', message: 'bad', cause: new DomainError('INVALID_USERNAME', 'bad', ['too short']) });
    expect(formatError({ shape: shape('BAD_REQUEST', 400), error }).data).toMatchObject({ code: 'INVALID_USERNAME', trpcCode: 'BAD_REQUEST', issues: ['too short'] });
  });
});
