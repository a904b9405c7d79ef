import { afterEach, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../core/delivery/webhook';
import { HttpReceiver, deliverUntilCaughtUp, newDataDir, openConsoleSide, sleep, type ConsoleSide, type HttpRequestSeen } from './test-receivers';
import type { AuditEventInput } from '../../core/audit/event';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const quarantined = (i: number): AuditEventInput => ({ actor: 'user:ann', action: 'module.quarantined', subject: `module:m${i}`, payload: { i } });
const login = (i: number): AuditEventInput => ({ actor: `user:u${i}`, action: 'auth.login', subject: 'session', payload: {} });

/** What a receiver does: verify the signature, then dedupe by seq. */
function verifiedSeqs(requests: readonly HttpRequestSeen[], secret: string): { unique: number[]; total: number } {
  const seen: number[] = [];
  for (const r of requests) {
    const checked = verifyWebhook(secret, r.body, r.headers['nightcore-signature'] as string, Math.floor(Date.now() / 1000));
    expect(checked.ok).toBe(true);
    seen.push(JSON.parse(r.body).seq);
  }
  return { unique: [...new Set(seen)], total: seen.length };
}

async function open(dataDir: string): Promise<ConsoleSide> {
  const side = openConsoleSide(dataDir);
  cleanups.push(() => side.close());
  return side;
}

describe('webhooks: every selected event exactly once at the receiver, across restarts of either side', () => {
  it('delivers in order, retries lost acknowledgements, survives a console restart and a receiver restart', async () => {
    const receiver = await new HttpReceiver().start();
    cleanups.push(() => receiver.stop());
    const dataDir = newDataDir();
    let side = await open(dataDir);
    side.audit.append(quarantined(0)); // before the webhook exists: not delivered ("from now on")
    const created = side.delivery.create({ name: 'ops-hook', kind: 'webhook', config: { url: `${receiver.url}/hook`, events: ['quarantines'] } }, 'user:admin');
    if (!created.ok) throw new Error(created.message);
    const secret = created.value.secret!;
    expect(side.delivery.store.get('ops-hook')).not.toHaveProperty('secret');
    const expected: number[] = [];
    const appendBatch = (s: ConsoleSide, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        expected.push(s.audit.append(quarantined(i)).seq);
        s.audit.append(login(i)); // filtered out: never sent
      }
    };

    appendBatch(side, 1, 11);
    await deliverUntilCaughtUp(side.delivery);
    expect(verifiedSeqs(receiver.requests, secret).unique).toEqual(expected);

    // The receiver stores three requests but its answers are lost (500): they are sent again.
    let lose = 3;
    receiver.answer = () => (lose-- > 0 ? 500 : 200);
    appendBatch(side, 11, 21);
    await deliverUntilCaughtUp(side.delivery);
    const log = side.delivery.attempts('ops-hook', 500);
    if (!log.ok) throw new Error(log.message);
    expect(log.value.filter((a) => !a.ok)).toHaveLength(3);
    expect(log.value.find((a) => !a.ok)).toMatchObject({ httpStatus: 500, error: expect.stringContaining('HTTP 500') });

    // Console restart: events appended while it was down are delivered after it comes back.
    await side.close();
    cleanups.pop();
    const offline = await open(dataDir);
    appendBatch(offline, 21, 31);
    await offline.close();
    cleanups.pop();
    side = await open(dataDir);
    await deliverUntilCaughtUp(side.delivery);

    // Receiver restart: deliveries fail (connection refused) and back off, then catch up.
    await receiver.stop();
    appendBatch(side, 31, 41);
    await side.delivery.tick();
    const down = side.delivery.status()[0]!;
    expect(down).toMatchObject({ state: 'failing', lagEvents: expect.any(Number) });
    expect(down.lastError).toMatch(/ECONNREFUSED/);
    expect(down.lagEvents).toBeGreaterThan(0);
    await sleep(30);
    await side.delivery.tick(); // still down: the failure count grows
    expect(side.delivery.status()[0]!.failures).toBeGreaterThanOrEqual(1);
    await receiver.start();
    await deliverUntilCaughtUp(side.delivery);

    const { unique, total } = verifiedSeqs(receiver.requests, secret);
    expect(unique).toEqual(expected); // complete, in order of first arrival, nothing extra
    expect(total).toBe(expected.length + 3); // the only duplicates are the three lost acknowledgements
    const status = side.delivery.status()[0]!;
    expect(status).toMatchObject({ state: 'caught_up', lagEvents: 0, lagSeconds: 0, failures: 0, lastError: expect.stringMatching(/ECONNREFUSED/) });
    for (const r of receiver.requests) {
      const body = JSON.parse(r.body);
      expect(r.headers['nightcore-seq']).toBe(String(body.seq));
      expect(body.type).toBe('module.quarantined');
      expect(body.hash).toMatch(/^[0-9a-f]{64}$/);
    }
  }, 30_000);

  it('never follows a redirect and gives up on a receiver that does not answer', async () => {
    const receiver = await new HttpReceiver().start();
    cleanups.push(() => receiver.stop());
    const side = openConsoleSide(newDataDir(), { timeoutMs: 150, backoff: { baseMs: 60_000, maxMs: 60_000 } });
    cleanups.push(() => side.close());
    side.delivery.create({ name: 'redirected', kind: 'webhook', config: { url: receiver.url, events: ['releases'] } }, 'user:admin');
    receiver.answer = () => 302;
    side.audit.append({ actor: 'user:a', action: 'module.released', subject: 'module:x', payload: {} });
    await side.delivery.tick();
    expect(receiver.requests).toHaveLength(1); // the Location was not fetched
    expect(side.delivery.status()[0]).toMatchObject({ state: 'failing', lastError: expect.stringContaining('redirects are not followed') });

    side.delivery.create({ name: 'silent', kind: 'webhook', config: { url: receiver.url, events: ['releases'] }, fromStart: true }, 'user:admin');
    receiver.answer = () => 0;
    const started = Date.now();
    await side.delivery.tick();
    expect(Date.now() - started).toBeLessThan(5_000);
    const silent = side.delivery.status().find((s) => s.name === 'silent')!;
    expect(silent).toMatchObject({ state: 'failing', lastError: expect.stringContaining('no answer within 150 ms') });
    // backing off: the next tick sends nothing
    const before = receiver.requests.length;
    await side.delivery.tick();
    expect(receiver.requests.length).toBe(before);
  });

  it('refuses non-http schemes, credentials in URLs, unknown event kinds and taken names, and audits what it creates', async () => {
    const side = await open(newDataDir());
    const bad = (config: unknown) => side.delivery.create({ name: 'x', kind: 'webhook', config }, 'user:admin');
    for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1:70/', 'ftp://h/x', 'javascript:alert(1)', 'https://u:p@h/']) {
      expect(bad({ url, events: ['runs'] })).toMatchObject({ ok: false, code: 'INVALID_DESTINATION' });
    }
    const many = bad({ url: 'ftp://x', events: ['everything'], extra: 1 });
    expect(many.ok === false && many.issues?.length).toBe(3); // every bad field is named
    expect(bad({ url: 'https://h/', events: [] })).toMatchObject({ ok: false });
    expect(side.delivery.create({ name: 'Bad Name', kind: 'webhook', config: { url: 'https://h/', events: ['runs'] } }, 'user:admin')).toMatchObject({ ok: false });
    expect(side.delivery.create({ name: 'h', kind: 'webhook', config: { url: 'https://h/', events: ['runs'] } }, 'user:admin').ok).toBe(true);
    expect(side.delivery.create({ name: 'h', kind: 'webhook', config: { url: 'https://h/', events: ['runs'] } }, 'user:admin')).toMatchObject({ ok: false, code: 'NAME_TAKEN' });
    const added = side.audit.page({ action: 'delivery.destination_added' });
    if (!added.ok) throw new Error(added.message);
    expect(added.value.events).toHaveLength(1);
    expect(added.value.events[0]!.payload).not.toMatch(/whsec_/); // the secret never reaches the log
    expect(side.delivery.setEnabled('h', false, 'user:admin')).toMatchObject({ ok: true, value: { enabled: false } });
    expect(side.delivery.setEnabled('nope', false, 'user:admin')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });
});
