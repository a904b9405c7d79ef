/**
 * One HTTP(S) POST with the properties a delivery needs and fetch does not give plainly: a hard
 * timeout over the whole exchange, a private CA for https, redirects never followed (node:http does
 * not follow them; a 3xx is a failure naming the status), and a capped read of the answer.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DeliveryError } from '../../core/delivery/types';

export const DELIVERY_TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 64 * 1024;

export interface PostOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs?: number;
  readonly ca?: string;
}

export function httpPost(url: URL, options: PostOptions): Promise<{ status: number; body: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = Buffer.from(options.body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...options.headers, 'content-length': String(body.length), 'user-agent': 'nightcore-delivery/1' },
        timeout: options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
        ...(options.ca ? { ca: options.ca } : {}),
        agent: false, // no pooled socket outlives a delivery
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(c.subarray(0, MAX_ANSWER_BYTES - size));
          size += c.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status >= 200 && status < 300) return resolve({ status, body: text });
          const why = status >= 300 && status < 400 ? ` (redirects are not followed${res.headers.location ? `: to ${String(res.headers.location).slice(0, 200)}` : ''})` : '';
          reject(new DeliveryError(`HTTP ${status}${why}${text ? `: ${text.slice(0, 200)}` : ''}`, status));
        });
        res.on('error', (e) => reject(new DeliveryError(`reading the answer: ${e.message}`, res.statusCode ?? null)));
      },
    );
    // `timeout` fires on socket inactivity; the overall deadline covers a trickling receiver too.
    const deadline = setTimeout(() => req.destroy(new DeliveryError(`no answer within ${options.timeoutMs ?? DELIVERY_TIMEOUT_MS} ms`)), options.timeoutMs ?? DELIVERY_TIMEOUT_MS);
    req.on('timeout', () => req.destroy(new DeliveryError(`no answer within ${options.timeoutMs ?? DELIVERY_TIMEOUT_MS} ms`)));
    req.on('error', (e) => reject(e instanceof DeliveryError ? e : new DeliveryError(`${url.host}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    req.on('close', () => clearTimeout(deadline));
    req.end(body);
  });
}
