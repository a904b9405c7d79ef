/**
 * GET /metrics: the Prometheus text exposition, protected by its own bearer token
 * (NIGHTCORE_METRICS_TOKEN), not by a console session: scrapers are machines, and the token grants
 * nothing else. Unset, the endpoint does not exist (404). The token is compared in constant time
 * (SHA-256 of both sides, then timingSafeEqual, so neither content nor length leaks).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { EXPOSITION_CONTENT_TYPE } from '../core/metrics/exposition';

export interface MetricsHttpDeps {
  readonly token: () => string | undefined;
  readonly render: () => string;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

const plain = (status: number, text: string, headers: Record<string, string> = {}) =>
  new Response(`${text}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers } });

export function handleMetrics(request: Request, deps: MetricsHttpDeps): Response {
  if (request.method !== 'GET') return plain(405, 'method not allowed', { allow: 'GET' });
  const expected = deps.token();
  if (!expected) return plain(404, 'metrics are disabled: set NIGHTCORE_METRICS_TOKEN to enable /metrics');
  const header = request.headers.get('authorization') ?? '';
  const m = /^Bearer ([^\s]+)$/.exec(header);
  if (!m || !tokenMatches(m[1]!, expected)) {
    return plain(401, 'a valid metrics token is required (Authorization: Bearer <NIGHTCORE_METRICS_TOKEN>)', { 'www-authenticate': 'Bearer realm="nightcore-metrics"' });
  }
  return new Response(deps.render(), { status: 200, headers: { 'content-type': EXPOSITION_CONTENT_TYPE, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } });
}
