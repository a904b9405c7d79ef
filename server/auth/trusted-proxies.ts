/**
 * Which proxy headers to believe. By default NONE: the client is the socket's peer address and the
 * site is the Host header, whatever X-Forwarded-For / -Host / -Proto say (a client can send any of
 * them). NIGHTCORE_TRUSTED_PROXIES turns them on for a known reverse proxy:
 *
 *   unset or ""          trust no proxy header (default)
 *   1 (a hop count)      the nearest N hops are proxies: the client is the Nth address from the
 *                        right of X-Forwarded-For + peer, and -Host / -Proto come from them
 *   10.0.0.0/8, ::1, loopback
 *                        addresses or CIDR ranges of the proxies: walking X-Forwarded-For from the
 *                        right, trusted addresses are skipped; the first other one is the client.
 *                        -Host / -Proto are used only when the peer itself is a trusted proxy.
 *
 * Pure: no I/O, no process.env (the caller passes the text), node:net only for address parsing.
 */
import { BlockList, isIP } from 'node:net';

export type ProxyTrust =
  | { readonly kind: 'none' }
  | { readonly kind: 'hops'; readonly hops: number }
  | { readonly kind: 'list'; readonly list: BlockList; readonly text: string };

export const NO_PROXIES: ProxyTrust = { kind: 'none' };
const MAX_HOPS = 16;
/** Returned when the client position holds something that is not an IP address. Shares one rate-limit bucket. */
export const UNKNOWN_CLIENT = 'unknown';

/** Parses NIGHTCORE_TRUSTED_PROXIES; throws with the bad part named (the console refuses to start). */
export function parseTrustedProxies(text: string | undefined): ProxyTrust {
  const value = text?.trim() ?? '';
  if (value === '' || value === '0') return NO_PROXIES;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_HOPS) throw new Error(`NIGHTCORE_TRUSTED_PROXIES: a hop count is at most ${MAX_HOPS}, not ${value}`);
    return { kind: 'hops', hops };
  }
  const list = new BlockList();
  for (const raw of value.split(',')) {
    const item = raw.trim().toLowerCase();
    if (item === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    const [address, prefixText, extra] = item.split('/');
    const family = isIP(address ?? '');
    const prefix = prefixText === undefined ? undefined : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (prefix !== undefined && !(prefix >= 0 && prefix <= max))) {
      throw new Error(`NIGHTCORE_TRUSTED_PROXIES: "${raw.trim()}" is not an IP address, a CIDR range or "loopback" (or give a hop count)`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, prefix, type);
  }
  return { kind: 'list', list, text: value };
}

/** "::ffff:192.0.2.1" → "192.0.2.1"; "[2001:db8::1]:443" / "192.0.2.1:80" → the address; anything else → undefined. */
export function normalizeAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let v = value.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(v);
  if (bracketed) v = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(v)) v = v.slice(0, v.lastIndexOf(':'));
  if (v.startsWith('::ffff:') && isIP(v.slice(7)) === 4) v = v.slice(7);
  return isIP(v) === 0 ? undefined : v;
}

const splitList = (value: string | undefined) => (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function isTrusted(trust: ProxyTrust & { kind: 'list' }, address: string | undefined): boolean {
  return address !== undefined && trust.list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

export interface ForwardedInput {
  /** The socket's remote address, as Node reports it. */
  readonly peer: string | undefined;
  readonly forwardedFor?: string;
  readonly forwardedHost?: string;
  readonly forwardedProto?: string;
}

export interface ResolvedRequest {
  /** The client address for rate limits and the audit log (UNKNOWN_CLIENT if it is not an IP address). */
  readonly client: string;
  /** True when the request came through a trusted proxy, so its -Host / -Proto may be used. */
  readonly proxied: boolean;
  /** The forwarded host (lower case, validated), only when proxied. */
  readonly host?: string;
  readonly proto?: 'http' | 'https';
}

export function resolveForwarded(trust: ProxyTrust, input: ForwardedInput): ResolvedRequest {
  const peer = normalizeAddress(input.peer);
  if (trust.kind === 'none') return { client: peer ?? UNKNOWN_CLIENT, proxied: false };
  // Right to left: the peer, then what each proxy appended.
  const chain = [...splitList(input.forwardedFor).map(normalizeAddress), peer];
  let index: number;
  let proxied: boolean;
  if (trust.kind === 'hops') {
    index = Math.max(0, chain.length - 1 - trust.hops);
    proxied = true;
  } else {
    index = chain.length - 1;
    while (index > 0 && isTrusted(trust, chain[index])) index--;
    proxied = isTrusted(trust, peer);
  }
  const client = chain[index] ?? UNKNOWN_CLIENT;
  if (!proxied) return { client, proxied };
  // The nearest proxy's value is the last one; earlier ones may come from the client.
  const host = splitList(input.forwardedHost).at(-1)?.toLowerCase();
  const proto = splitList(input.forwardedProto).at(-1)?.toLowerCase();
  return {
    client,
    proxied,
    ...(host && HOST.test(host) ? { host } : {}),
    ...(proto === 'http' || proto === 'https' ? { proto } : {}),
  };
}
