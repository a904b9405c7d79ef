/**
 * Webhook bodies and their signatures (docs/webhooks.md is the receiver's specification).
 *
 * Body: one JSON object per event, carrying the event's seq and hash so a receiver can dedupe and
 * see gaps. Signature header (Stripe-style, so existing receiver code adapts easily):
 *
 *   Nightcore-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * The timestamp is inside the MAC, so a captured request cannot be replayed later than the
 * receiver's tolerance; the body is MACed as raw bytes, so any change to it fails.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuditEvent } from '../audit/event';
import { err, ok, type Result } from '../result';
import { categoryOf } from './event-filter';

export const SIGNATURE_HEADER = 'Nightcore-Signature';
export const DEFAULT_TOLERANCE_S = 300;
const SECRET_PREFIX = 'whsec_';

/** A fresh secret: 32 random bytes, base64url, with a prefix that makes it recognisable in a leak scan. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

export const isWebhookSecret = (s: string): boolean => /^whsec_[A-Za-z0-9_-]{43}$/.test(s);

/** The body for one event. The payload is the stored canonical JSON text, embedded verbatim. */
export function webhookBody(e: AuditEvent): string {
  return (
    '{"id":' + JSON.stringify(`${e.seq}:${e.hash}`) +
    ',"type":' + JSON.stringify(e.action) +
    ',"category":' + JSON.stringify(categoryOf(e.action) ?? null) +
    ',"seq":' + String(e.seq) +
    ',"hash":' + JSON.stringify(e.hash) +
    ',"prevHash":' + JSON.stringify(e.prevHash) +
    ',"time":' + JSON.stringify(e.time) +
    ',"actor":' + JSON.stringify(e.actor) +
    ',"subject":' + JSON.stringify(e.subject) +
    ',"payload":' + e.payload +
    '}'
  );
}

function mac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The header value for `body` sent at `nowSeconds`. */
export function signWebhook(secret: string, body: string, nowSeconds: number): string {
  return `t=${nowSeconds},v1=${mac(secret, nowSeconds, body)}`;
}

export type WebhookVerifyCode = 'SIGNATURE_MISSING' | 'SIGNATURE_MALFORMED' | 'TIMESTAMP_OUT_OF_RANGE' | 'SIGNATURE_MISMATCH';

/**
 * What a receiver does (and what docs/webhooks.md shows): parse the header, refuse a timestamp
 * outside the tolerance either way, and compare the MAC in constant time. Several v1 values may be
 * present (a secret being rotated); one match is enough.
 */
export function verifyWebhook(
  secret: string,
  body: string,
  header: string | null | undefined,
  nowSeconds: number,
  toleranceSeconds: number = DEFAULT_TOLERANCE_S,
): Result<{ timestamp: number }, WebhookVerifyCode> {
  if (!header) return err('SIGNATURE_MISSING', `no ${SIGNATURE_HEADER} header`);
  let timestamp: number | undefined;
  const macs: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) macs.push(value);
  }
  if (timestamp === undefined || macs.length === 0) return err('SIGNATURE_MALFORMED', 'expected t=<unix seconds>,v1=<64 hex digits>');
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return err('TIMESTAMP_OUT_OF_RANGE', `signed at ${timestamp}, more than ${toleranceSeconds} s from now (${nowSeconds})`);
  }
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  const match = macs.some((m) => timingSafeEqual(Buffer.from(m, 'hex'), expected));
  return match ? ok({ timestamp }) : err('SIGNATURE_MISMATCH', 'the signature does not match this body and secret');
}
