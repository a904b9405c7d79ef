/**
 * The one place that sees the socket. Next.js route handlers get a Request without the peer
 * address, and Next.js itself only fills X-Forwarded-For / -Host / -Proto when the client did not
 * send them, so a client could choose its own address and host. This guard runs on every incoming
 * HTTP request of the process (installed from instrumentation.ts before requests are handled):
 *
 * - untrusted proxy headers (X-Forwarded-*, X-Real-IP, Forwarded) are DELETED, so Next.js and
 *   Auth.js fill them from the real socket and Host header;
 * - trusted ones (NIGHTCORE_TRUSTED_PROXIES) are reduced to the single values that were resolved;
 * - the resolved client address and host are stamped into x-nightcore-client / x-nightcore-host
 *   together with a per-process random nonce (x-nightcore-guard). Readers (clientAddress,
 *   checkSameOrigin) believe the stamp only when the nonce matches, so a client that sends those
 *   headers itself (or a request that somehow bypassed the guard) gets the safe defaults instead:
 *   one shared "unknown" rate-limit bucket and the Host header.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { resolveForwarded, UNKNOWN_CLIENT, type ProxyTrust } from './trusted-proxies';

export const CLIENT_HEADER = 'x-nightcore-client';
export const HOST_HEADER = 'x-nightcore-host';
export const GUARD_HEADER = 'x-nightcore-guard';
const PROXY_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip', 'forwarded'] as const;
/** A request id a trusted proxy assigned; kept only from a trusted proxy (a client could choose one to confuse the logs). */
export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

interface GuardState {
  readonly nonce: string;
  trust: ProxyTrust;
  installed: boolean;
}
// On globalThis under a registered symbol: Next.js bundles this module more than once per process
// (instrumentation, route handlers, server actions), and every copy must see the same nonce.
const KEY = Symbol.for('nightcore.forwarded-guard');
const state = (): GuardState => {
  const g = globalThis as unknown as Record<symbol, GuardState | undefined>;
  return (g[KEY] ??= { nonce: randomBytes(16).toString('hex'), trust: { kind: 'none' }, installed: false });
};

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);

/** Rewrites one request's headers in place (see the file comment). */
export function guardIncoming(req: Pick<IncomingMessage, 'headers'> & { socket?: { remoteAddress?: string } }, trust: ProxyTrust = state().trust): void {
  const h = req.headers;
  const resolved = resolveForwarded(trust, {
    peer: req.socket?.remoteAddress,
    forwardedFor: first(h['x-forwarded-for']),
    forwardedHost: first(h['x-forwarded-host']),
    forwardedProto: first(h['x-forwarded-proto']),
  });
  for (const name of PROXY_HEADERS) delete h[name];
  const requestId = first(h[REQUEST_ID_HEADER]);
  delete h[REQUEST_ID_HEADER];
  if (resolved.proxied && requestId && REQUEST_ID.test(requestId)) h[REQUEST_ID_HEADER] = requestId;
  if (resolved.proxied) {
    if (resolved.client !== UNKNOWN_CLIENT) h['x-forwarded-for'] = resolved.client;
    if (resolved.host) h['x-forwarded-host'] = resolved.host;
    if (resolved.proto) h['x-forwarded-proto'] = resolved.proto;
  }
  h[CLIENT_HEADER] = resolved.client;
  h[HOST_HEADER] = resolved.host ?? h.host?.toLowerCase() ?? '';
  h[GUARD_HEADER] = state().nonce;
}

/**
 * Hooks every http/https server of this process: each 'request' event is guarded before any
 * listener (Next.js) sees it. Idempotent; a later call only changes the trust setting.
 */
export function installForwardedHeaderGuard(trust: ProxyTrust): void {
  const s = state();
  s.trust = trust;
  if (s.installed) return; // once per process, whichever bundled copy of this module comes first
  s.installed = true;
  for (const proto of [http.Server.prototype, https.Server.prototype] as { emit: (event: string | symbol, ...args: unknown[]) => boolean }[]) {
    const emit = proto.emit;
    proto.emit = function guardedEmit(this: unknown, event: string | symbol, ...args: unknown[]) {
      if (event === 'request') guardIncoming(args[0] as IncomingMessage);
      return emit.apply(this, [event, ...args]);
    };
  }
}

/** What the guard resolved for this request, or undefined when it was not stamped by this process's guard. */
export function guardedRequestInfo(headers: Headers): { client: string; host: string } | undefined {
  const stamp = headers.get(GUARD_HEADER);
  const nonce = state().nonce;
  if (stamp === null || stamp.length !== nonce.length || !timingSafeEqual(Buffer.from(stamp), Buffer.from(nonce))) return undefined;
  return { client: headers.get(CLIENT_HEADER) ?? UNKNOWN_CLIENT, host: headers.get(HOST_HEADER) ?? '' };
}

/**
 * The id of this request for the logs: the trusted proxy's X-Request-Id (the guard removes it from
 * anyone else), otherwise a fresh random one. Without this process's guard stamp, always fresh.
 */
export function requestIdOf(headers: Headers): string {
  const given = headers.get(REQUEST_ID_HEADER);
  if (given && REQUEST_ID.test(given) && guardedRequestInfo(headers)) return given;
  return randomUUID();
}
