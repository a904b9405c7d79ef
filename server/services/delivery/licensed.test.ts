/** The wiring in openServices: SIEM sinks need the PRO feature siem_export from the real license service; webhooks do not. */
import { afterEach, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-fixtures';
import { installProLicense, TEST_LICENSE_KEYS } from '../test-license';
import { deliveryLag } from './service';

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.services.close();
});

describe('SIEM export is licensed', () => {
  it('community: a SIEM sink is LICENSE_REQUIRED naming siem_export; a webhook works; with PRO the sink is created and reports its lag', async () => {
    const h = openHarness({ licenseKeys: TEST_LICENSE_KEYS });
    harnesses.push(h);
    const { delivery } = h.services;
    const sink = { name: 'siem', kind: 'syslog' as const, config: { target: 'tcp://127.0.0.1:9' }, fromStart: true };
    const refused = delivery.create(sink, 'user:root');
    expect(refused).toMatchObject({ ok: false, code: 'LICENSE_REQUIRED', message: expect.stringContaining('siem_export') });
    expect(delivery.create({ name: 'hook', kind: 'webhook', config: { url: 'https://h.example/', events: ['runs'] } }, 'user:root').ok).toBe(true);
    installProLicense(h.services);
    expect(delivery.create(sink, 'user:root').ok).toBe(true);
    const lag = deliveryLag(h.services);
    expect(lag.map((l) => l.name).sort()).toEqual(['hook', 'siem']);
    const siem = lag.find((l) => l.name === 'siem')!;
    expect(siem.events).toBe(h.services.audit.head().seq); // nothing delivered yet: the whole log is behind
    expect(siem.state).toBe('behind');
  });
});
