import { describe, expect, it } from 'vitest';
import { isWebhookSecret, newWebhookSecret, signWebhook, verifyWebhook, webhookBody } from './webhook';
import { parseHttpUrl, parseSyslogTarget } from './endpoint';
import type { AuditEvent } from '../audit/event';

const event: AuditEvent = {
  seq: 7, time: '2026-12-02T10:00:00.000Z', actor: 'user:ann', action: 'module.quarantined', subject: 'module:abc',
  payload: '{"reason":"x"}', prevHash: 'a'.repeat(64), hash: 'b'.repeat(64),
};

describe('webhook signatures', () => {
  const secret = newWebhookSecret();
  const body = webhookBody(event);
  const now = 1_800_000_000;
  const header = signWebhook(secret, body, now);

  it('the body is JSON carrying seq, hash, category and the payload as a value', () => {
    const parsed = JSON.parse(body);
    expect(parsed).toMatchObject({ seq: 7, hash: event.hash, prevHash: event.prevHash, type: 'module.quarantined', category: 'quarantines', payload: { reason: 'x' } });
    expect(isWebhookSecret(secret)).toBe(true);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('a receiver accepts the signed body within the tolerance', () => {
    expect(verifyWebhook(secret, body, header, now + 299)).toEqual({ ok: true, value: { timestamp: now } });
  });

  it('refuses a tampered body', () => {
    const tampered = body.replace('"reason":"x"', '"reason":"y"');
    expect(verifyWebhook(secret, tampered, header, now)).toMatchObject({ ok: false, code: 'SIGNATURE_MISMATCH' });
  });

  it('refuses the wrong secret', () => {
    expect(verifyWebhook(newWebhookSecret(), body, header, now)).toMatchObject({ ok: false, code: 'SIGNATURE_MISMATCH' });
  });

  it('refuses an old timestamp (a replay) and one from the future', () => {
    expect(verifyWebhook(secret, body, header, now + 301)).toMatchObject({ ok: false, code: 'TIMESTAMP_OUT_OF_RANGE' });
    expect(verifyWebhook(secret, body, header, now - 301)).toMatchObject({ ok: false, code: 'TIMESTAMP_OUT_OF_RANGE' });
  });

  it('refuses a replay with a fresh timestamp swapped in (the timestamp is under the MAC)', () => {
    const mac = header.split('v1=')[1];
    expect(verifyWebhook(secret, body, `t=${now + 1000},v1=${mac}`, now + 1000)).toMatchObject({ ok: false, code: 'SIGNATURE_MISMATCH' });
  });

  it('refuses missing and malformed headers', () => {
    expect(verifyWebhook(secret, body, undefined, now)).toMatchObject({ ok: false, code: 'SIGNATURE_MISSING' });
    for (const bad of ['v1=abc', `t=${now}`, `t=soon,v1=${'0'.repeat(64)}`, `t=${now},v1=${'0'.repeat(63)}`, 'garbage']) {
      expect(verifyWebhook(secret, body, bad, now)).toMatchObject({ ok: false, code: 'SIGNATURE_MALFORMED' });
    }
  });

  it('accepts any one of several v1 values (secret rotation)', () => {
    const other = signWebhook(newWebhookSecret(), body, now).split(',')[1];
    expect(verifyWebhook(secret, body, `${header},${other}`, now).ok).toBe(true);
  });
});

describe('destination URLs', () => {
  it('accepts http and https', () => {
    expect(parseHttpUrl('https://hooks.example.com/nightcore').ok).toBe(true);
    expect(parseHttpUrl('http://127.0.0.1:8080/x?y=1').ok).toBe(true);
  });

  it.each(['file:///etc/passwd', 'gopher://127.0.0.1:25/', 'ftp://x/y', 'javascript:alert(1)', 'data:text/plain,hi', 'ws://x/', 'unix:/var/run/docker.sock', '//example.com/x', 'example.com'])(
    'refuses the non-http URL %s',
    (url) => {
      expect(parseHttpUrl(url)).toMatchObject({ ok: false, code: 'INVALID_URL' });
    },
  );

  it('refuses credentials in the URL, fragments and oversized URLs', () => {
    expect(parseHttpUrl('https://user:pw@example.com/').ok).toBe(false);
    expect(parseHttpUrl('https://token@example.com/').ok).toBe(false);
    expect(parseHttpUrl('https://example.com/#frag').ok).toBe(false);
    expect(parseHttpUrl(`https://example.com/${'a'.repeat(3000)}`).ok).toBe(false);
  });

  it('syslog targets are tcp:// or tls:// with a port', () => {
    expect(parseSyslogTarget('tls://logs.example.com:6514')).toEqual({ ok: true, value: { tls: true, host: 'logs.example.com', port: 6514 } });
    expect(parseSyslogTarget('tcp://[::1]:514')).toEqual({ ok: true, value: { tls: false, host: '::1', port: 514 } });
    for (const bad of ['udp://x:514', 'tcp://x', 'tcp://x:0', 'tcp://x:70000', 'tcp://a b:1', 'http://x:1']) expect(parseSyslogTarget(bad).ok).toBe(false);
  });
});
