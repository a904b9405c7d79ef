/** `nightcore report` and `nightcore report verify` end to end on a real data folder. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openHarness, type Harness } from '../services/test-fixtures';
import { installProLicense, TEST_VENDOR_PUBLIC_BASE64 } from '../services/test-license';
import { main } from './main';

let h: Harness;
const savedKey = process.env.NIGHTCORE_LICENSE_TEST_KEY;
beforeAll(() => {
  // The CLI opens its own services through config.ts: let it accept the test vendor's license (vitest sets NODE_ENV=test).
  process.env.NIGHTCORE_LICENSE_TEST_KEY = TEST_VENDOR_PUBLIC_BASE64;
  h = openHarness();
  installProLicense(h.services);
  h.services.quarantine.add({ moduleName: 'demo', wasmSha256: 'ab'.repeat(32), reason: 'seeded', source: 'threat' }, 'user:alice');
});
afterAll(async () => {
  if (savedKey === undefined) delete process.env.NIGHTCORE_LICENSE_TEST_KEY;
  else process.env.NIGHTCORE_LICENSE_TEST_KEY = savedKey;
  await h?.services.close();
});

describe('nightcore report', () => {
  it('writes the report and its .sig, never overwrites, and report verify accepts it and refuses a changed file', async () => {
    const out = join(h.dataDir, 'november.html');
    const data = ['--data', h.dataDir];
    expect(await main(['report', '--from', '2020-01-01', '--to', '2100-01-01', '--out', out, ...data])).toBe(0);
    expect(existsSync(`${out}.sig`)).toBe(true);
    expect(readFileSync(out, 'utf8')).toContain('Night Core compliance report');
    expect(await main(['report', '--from', '2020-01-01', '--to', '2100-01-01', '--out', out, ...data])).toBe(2);
    expect(await main(['report', '--from', '2026-12-01', '--to', '2026-11-01', '--out', `${out}.2`, ...data])).toBe(2);
    expect(await main(['report', '--from', '2026-02-30', '--to', '2026-12-01', '--out', `${out}.2`, ...data])).toBe(2);
    expect(await main(['report', '--from', '2026-11-01', '--to', '2026-12-01', '--format', 'docx', '--out', `${out}.2`, ...data])).toBe(2);

    expect(await main(['report', 'verify', out, ...data])).toBe(0);
    const keyFile = join(h.dataDir, 'server.pub');
    expect(await main(['server-key', '--out', keyFile, ...data])).toBe(0);
    expect(await main(['report', 'verify', out, '--key', keyFile, '--data', join(h.dataDir, 'elsewhere')])).toBe(0);
    const text = readFileSync(out, 'utf8');
    writeFileSync(out, text.replace('Night Core compliance report', 'Night Core compliance rep0rt'));
    expect(await main(['report', 'verify', out, ...data])).toBe(1);
    // No key anywhere: refused as a usage error, and no key is created by verifying.
    const empty = join(h.dataDir, 'empty');
    expect(await main(['report', 'verify', out, '--data', empty])).toBe(2);
    expect(existsSync(join(empty, 'server-key.json'))).toBe(false);
  }, 60_000);
});
