/**
 * Structured logs and request ids: one JSON object per line whatever the values hold, the
 * logger's own fields cannot be overwritten, and a request id is believed only from a trusted proxy.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../services/logger';
import { guardIncoming, requestIdOf } from '../auth/forwarded-headers';
import { parseTrustedProxies } from '../auth/trusted-proxies';
import { withRequestLog } from './request-log';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function capture() {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), now: () => new Date('2026-12-02T10:00:00.000Z') });
  return { lines, log, parsed: () => lines.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Runs the guard on a Node-style request and turns its headers into a fetch Headers object. */
function guarded(headers: Record<string, string>, peer: string, trusted?: string): Headers {
  const req = { headers: { ...headers }, socket: { remoteAddress: peer } };
  guardIncoming(req, parseTrustedProxies(trusted));
  return new Headers(req.headers);
}

describe('logger', () => {
  it('writes one JSON line per call, even when values hold newlines, quotes or a forged log line', () => {
    const { lines, log, parsed } = capture();
    const hostile = 'x"}\n{"level":"error","msg":"forged"}';
    log.info('module imported', { module: hostile, n: 3, big: 10n, error: new Error('boom') });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(lines[0]!.slice(0, -1)).not.toContain('\n');
    expect(parsed()).toEqual([{ time: '2026-12-02T10:00:00.000Z', level: 'info', msg: 'module imported', module: hostile, n: 3, big: '10', error: { name: 'Error', message: 'boom' } }]);
  });

  it('keeps time, level and msg its own, and children carry their fields', () => {
    const { log, parsed } = capture();
    log.child({ component: 'reports' }).warn('slow', { level: 'debug', msg: 'lie', time: 'never' });
    expect(parsed()).toEqual([{ time: '2026-12-02T10:00:00.000Z', level: 'warn', msg: 'slow', component: 'reports', field_level: 'debug', field_msg: 'lie', field_time: 'never' }]);
  });
});

describe('request ids', () => {
  it('ignores a client-sent X-Request-Id: the guard removes it and a fresh id is made', () => {
    const headers = guarded({ host: 'c:3000', 'x-request-id': 'chosen-by-client' }, '203.0.113.9');
    expect(headers.get('x-request-id')).toBeNull();
    expect(requestIdOf(headers)).toMatch(UUID);
  });

  it("believes a trusted proxy's X-Request-Id, if it is a plain token", () => {
    expect(requestIdOf(guarded({ host: 'c:3000', 'x-request-id': 'edge-42:abc' }, '127.0.0.1', 'loopback'))).toBe('edge-42:abc');
    expect(requestIdOf(guarded({ host: 'c:3000', 'x-request-id': 'bad id\twith spaces' }, '127.0.0.1', 'loopback'))).toMatch(UUID);
    expect(requestIdOf(guarded({ host: 'c:3000', 'x-request-id': 'x'.repeat(129) }, '127.0.0.1', 'loopback'))).toMatch(UUID);
  });

  it('without the guard stamp (a request that bypassed it), never believes the header', () => {
    expect(requestIdOf(new Headers({ 'x-request-id': 'sneaky' }))).toMatch(UUID);
  });

  it('logs each request with its id, route, method, path (no query) and status, and returns the id', async () => {
    const { log, parsed } = capture();
    const handler = withRequestLog('reports', async () => new Response('ok', { status: 201 }), log);
    const res = await handler(new Request('http://c/api/reports?from=secret-ish&to=x'));
    const [line] = parsed();
    expect(line).toMatchObject({ level: 'info', msg: 'request', route: 'reports', method: 'GET', path: '/api/reports', status: 201 });
    expect(JSON.stringify(line)).not.toContain('secret-ish');
    expect(res.headers.get('x-request-id')).toBe(line!.requestId);
    const failing = withRequestLog('boom', async () => {
      throw new Error('kaput');
    }, log);
    await expect(failing(new Request('http://c/x'))).rejects.toThrow('kaput');
    expect(parsed()[1]).toMatchObject({ level: 'error', msg: 'request failed', route: 'boom', error: { message: 'kaput' } });
  });
});
