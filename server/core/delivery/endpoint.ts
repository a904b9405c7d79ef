/**
 * Validation of where events may be sent. Admins configure destinations, but a destination URL
 * is still input: only http(s) for HTTP destinations (no file:, gopher:, data: or other schemes a
 * fetch implementation might grow), no credentials in the URL (they would be shown in listings
 * and logs; the HEC token and the webhook secret travel in headers), no fragment, bounded length.
 * Redirects are never followed when sending (services/delivery/http-transport.ts), so a receiver
 * cannot bounce a signed request to a place the admin did not choose.
 */
import { err, ok, type Result } from '../result';

export const MAX_URL_LENGTH = 2048;

export type EndpointCode = 'INVALID_URL';

export function parseHttpUrl(input: string): Result<URL, EndpointCode> {
  if (input.length > MAX_URL_LENGTH) return err('INVALID_URL', `a URL may hold at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return err('INVALID_URL', `"${input.slice(0, 100)}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return err('INVALID_URL', `only http and https URLs are allowed, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '') return err('INVALID_URL', 'credentials in the URL are refused (the secret or token is sent in a header)');
  if (url.hostname === '') return err('INVALID_URL', 'the URL has no host');
  if (url.hash !== '') return err('INVALID_URL', 'a URL fragment is never sent; remove it');
  return ok(url);
}

export interface SyslogTarget {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

/** `tcp://host:port` or `tls://host:port` (RFC 5425's port 6514 is the usual TLS one). */
export function parseSyslogTarget(input: string): Result<SyslogTarget, EndpointCode> {
  const m = /^(tcp|tls):\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253}):(\d{1,5})$/.exec(input);
  if (!m) return err('INVALID_URL', 'a syslog target is tcp://host:port or tls://host:port');
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return err('INVALID_URL', 'the port must be between 1 and 65535');
  return ok({ tls: m[1] === 'tls', host: m[2]!.replace(/^\[|\]$/g, ''), port });
}
