/** The delivery router over a real DeliveryService: webhooks made from the console, status, the log, the licence gate. */
import { describe, it, expect, afterEach } from 'vitest';
import { TRPCError } from '@trpc/server';
import { DeliveryService, type SiemGate } from '../../services/delivery/service';
import type { Services } from '../../services/index';
import type { Role } from '../../core/access/rbac';
import { err, ok } from '../../core/result';
import { createCaller } from '../root';
import { ctxFor, memoryServices, sessionFor } from '../test-support';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(siemGate?: SiemGate) {
  const base = memoryServices();
  const delivery = new DeliveryService(base.handle.sqlite, base.services.audit, () => new Date(), { siemGate });
  cleanups.push(() => base.handle.close(), () => delivery.close());
  const services = { handle: base.handle, audit: base.services.audit, delivery } as unknown as Services;
  const as = (role: Role, username = `u-${role}`) => createCaller(ctxFor(sessionFor(role, username), services));
  return { services, delivery, as };
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
    return { code: 'OK' };
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return { code: e.code, domain: (e.cause as { code?: string } | undefined)?.code, message: e.message };
  }
}

describe('delivery router', () => {
  it('an admin creates a webhook and gets its secret once; status and the log never carry it; the actor is the session user', async () => {
    const { as, services } = setup();
    const created = await as('admin', 'root').delivery.createWebhook({ name: 'chatops', url: 'https://hooks.example.com/x', events: ['quarantines', 'runs'] });
    expect(created.secret).toMatch(/^whsec_/);
    const status = await as('admin').delivery.status();
    expect(status).toEqual([expect.objectContaining({ name: 'chatops', kind: 'webhook', state: 'caught_up', events: ['quarantines', 'runs'] })]);
    expect(JSON.stringify(status)).not.toContain(created.secret);
    expect(await as('admin').delivery.attempts({ name: 'chatops' })).toEqual([]);
    const page = services.audit.page({ action: 'delivery.destination_added' });
    expect(page.ok && page.value.events[0]?.actor).toBe('user:root');
    expect(await as('admin').delivery.setEnabled({ name: 'chatops', enabled: false })).toEqual({ name: 'chatops', enabled: false });
  });

  it('bad input is BAD_REQUEST naming the problem, a taken name CONFLICT, an unknown one NOT_FOUND', async () => {
    const { as } = setup();
    expect(await failure(as('admin').delivery.createWebhook({ name: 'x', url: 'file:///etc/passwd', events: ['runs'] }))).toMatchObject({ code: 'BAD_REQUEST', domain: 'INVALID_DESTINATION', message: expect.stringContaining('only http and https') });
    expect(await failure(as('admin').delivery.createWebhook({ name: 'x', url: 'https://u:p@h/', events: ['runs'] }))).toMatchObject({ code: 'BAD_REQUEST' });
    await as('admin').delivery.createWebhook({ name: 'x', url: 'https://h/', events: ['runs'] });
    expect(await failure(as('admin').delivery.createWebhook({ name: 'x', url: 'https://h/', events: ['runs'] }))).toMatchObject({ code: 'CONFLICT', domain: 'NAME_TAKEN' });
    expect(await failure(as('admin').delivery.attempts({ name: 'nope' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(as('operator').delivery.status())).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('without the licence, SIEM sinks cannot be created or re-enabled (FORBIDDEN naming the feature) and show as unlicensed; webhooks still work', async () => {
    let licensed = true;
    const gate: SiemGate = () => (licensed ? ok(undefined) : err('LICENSE_REQUIRED', 'SIEM export (siem_export) is a PRO feature: no license grants it'));
    const { as, delivery } = setup(gate);
    expect(delivery.create({ name: 'syslog', kind: 'syslog', config: { target: 'tcp://127.0.0.1:1' } }, 'user:root').ok).toBe(true);
    delivery.setEnabled('syslog', false, 'user:root');
    licensed = false;
    expect(delivery.create({ name: 'hec', kind: 'hec', config: { url: 'https://h/' }, token: 't' }, 'user:root')).toMatchObject({ ok: false, code: 'LICENSE_REQUIRED' });
    expect(await failure(as('admin').delivery.setEnabled({ name: 'syslog', enabled: true }))).toMatchObject({ code: 'FORBIDDEN', domain: 'LICENSE_REQUIRED', message: expect.stringContaining('siem_export') });
    expect((await as('admin').delivery.createWebhook({ name: 'hook', url: 'https://h/', events: ['runs'] })).secret).toMatch(/^whsec_/);
    licensed = true;
    delivery.setEnabled('syslog', true, 'user:root');
    licensed = false;
    expect((await as('admin').delivery.status()).find((s) => s.name === 'syslog')).toMatchObject({ state: 'unlicensed' });
  });
});
