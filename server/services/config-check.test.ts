/**
 * Every configuration error message, exactly: the setting, the problem, the fix. Secrets never
 * appear in a message or in the effective configuration; typos get a "did you mean".
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig, closestSetting, ConfigError, problemText, requireValidConfig, type Env } from './config-check';
import { TEST_VENDOR_PUBLIC_BASE64 } from './test-license';

const messages = (env: Env, options = {}) => checkConfig(env, options).problems.map(problemText);
const only = (env: Env, options = {}) => {
  const all = messages(env, options);
  expect(all, JSON.stringify(all)).toHaveLength(1);
  return all[0];
};

describe('configuration: every error message', () => {
  it('accepts an empty environment: every setting from its default, the policy from its file', () => {
    const report = checkConfig({});
    expect(report.problems).toEqual([]);
    expect(report.settings.find((s) => s.name === 'PORT')).toEqual({ name: 'PORT', value: '3000', source: 'default', secret: false });
    expect(report.settings.find((s) => s.name === 'policy file')).toMatchObject({ source: 'file', value: expect.stringContaining('default revision') });
  });

  const CASES: [Env, string][] = [
    [{ PORT: 'http' }, 'PORT: the value ("http") must be a whole number, a TCP port. Fix: set PORT to a free TCP port such as 3000'],
    [{ PORT: '70000' }, 'PORT: the value ("70000") must be from 1 to 65535. Fix: set PORT to a free TCP port such as 3000'],
    [{ NIGHTCORE_DATA: '   ' }, 'NIGHTCORE_DATA: the value ("   ") is empty. Fix: set NIGHTCORE_DATA to the data folder, or unset it for ./data'],
    [{ NIGHTCORE_ADMIN_PASSWORD: 'short' }, 'NIGHTCORE_ADMIN_PASSWORD: the value is shorter than 12 characters. Fix: use a password of at least 12 characters, or unset it to have one generated'],
    [{ AUTH_SECRET: 'tooshort' }, 'AUTH_SECRET: the value is shorter than 32 characters. Fix: use at least 32 random characters (openssl rand -base64 32), or unset it to keep one in the data folder'],
    [{ NIGHTCORE_BACKEND: 'docker' }, 'NIGHTCORE_BACKEND: the value ("docker") must be worker-threads, process or remote. Fix: set NIGHTCORE_BACKEND to worker-threads, process or remote'],
    [{ NIGHTCORE_NODES: 'abc@http://n1:7700' }, 'NIGHTCORE_NODES: the value ("abc@http://n1:7700") has an entry that is not keyid@http://host:port (a full 64-digit key id). Fix: list the nodes as keyid@http://host:port separated by commas (the key id from nightcore trust list)'],
    [{ NIGHTCORE_BACKEND: 'remote' }, 'NIGHTCORE_NODES: is required by NIGHTCORE_BACKEND=remote and is not set. Fix: list the nodes as keyid@http://host:port separated by commas (the key id from nightcore trust list)'],
    [{ NIGHTCORE_POOL_SIZE: '0' }, 'NIGHTCORE_POOL_SIZE: the value ("0") must be from 1 to 256. Fix: set NIGHTCORE_POOL_SIZE to a whole number from 1 to 256, or unset it'],
    [{ NIGHTCORE_POOL_SIZE: 'four' }, 'NIGHTCORE_POOL_SIZE: the value ("four") must be a whole number, the number of sandbox workers. Fix: set NIGHTCORE_POOL_SIZE to a whole number from 1 to 256, or unset it'],
    [{ NIGHTCORE_METRICS_TOKEN: 'short' }, 'NIGHTCORE_METRICS_TOKEN: the value is shorter than 16 characters. Fix: use at least 16 random characters without spaces (openssl rand -hex 24), or unset it to turn /metrics off'],
    [{ NIGHTCORE_METRICS_TOKEN: 'long enough but spaced' }, 'NIGHTCORE_METRICS_TOKEN: the value contains whitespace. Fix: use at least 16 random characters without spaces (openssl rand -hex 24), or unset it to turn /metrics off'],
    [{ NIGHTCORE_CHROMIUM: '/no/such/chromium' }, `NIGHTCORE_CHROMIUM: "/no/such/chromium" is not an executable file. Fix: install Debian's chromium, or point NIGHTCORE_CHROMIUM at an executable Chromium`],
    [{ NIGHTCORE_CLI_CACHE_DIR: ' ' }, 'NIGHTCORE_CLI_CACHE_DIR: the value (" ") is empty. Fix: set it to a folder only you can write, or unset it'],
    [{ NIGHTCORE_LICENSE_TEST_KEY: TEST_VENDOR_PUBLIC_BASE64 }, 'NIGHTCORE_LICENSE_TEST_KEY: NIGHTCORE_LICENSE_TEST_KEY is set on a production server. Fix: unset it on a production server; elsewhere set NIGHTCORE_NON_PRODUCTION=1 and a base64 Ed25519 public key'],
    [{ NIGHTCORE_NON_PRODUCTION: 'yes' }, 'NIGHTCORE_NON_PRODUCTION: the value ("yes") must be 1 when set. Fix: set it to 1 on a test installation, or unset it'],
    [{ NIGHTCORE_E2E_PORT: 'x' }, 'NIGHTCORE_E2E_PORT: the value ("x") must be a whole number, a TCP port. Fix: set it to a free port for the browser tests'],
    [{ NIGHTCORE_POLCY: 'p.json' }, 'NIGHTCORE_POLCY: is not a Night Core setting and is ignored (did you mean NIGHTCORE_POLICY?). Fix: rename it to NIGHTCORE_POLICY'],
    [{ NIGHTCORE_FROBNICATE: '1' }, 'NIGHTCORE_FROBNICATE: is not a Night Core setting and is ignored. Fix: remove it (the settings are listed in docs/operations.md)'],
  ];
  for (const [env, message] of CASES) {
    it(`${Object.keys(env)[0]}=${JSON.stringify(Object.values(env)[0]).slice(0, 30)}`, () => {
      expect(only(env)).toBe(message);
    });
  }

  it('a malformed test key outside production names the key problem', () => {
    expect(only({ NIGHTCORE_LICENSE_TEST_KEY: 'not-a-key', NIGHTCORE_NON_PRODUCTION: '1' })).toMatch(/^NIGHTCORE_LICENSE_TEST_KEY: .+\. Fix: unset it on a production server/);
  });

  it('a policy file that is missing or invalid stops the start, naming the file and the bad fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-cfg-'));
    expect(only({ NIGHTCORE_POLICY: join(dir, 'missing.json') })).toMatch(/^NIGHTCORE_POLICY: POLICY_UNREADABLE: .*missing\.json.*\. Fix: correct the file \(nightcore policy check .*missing\.json\) or point NIGHTCORE_POLICY at a valid one$/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ name: 'x', revision: -1 }));
    expect(only({ NIGHTCORE_POLICY: join(dir, 'bad.json') })).toMatch(/^NIGHTCORE_POLICY: POLICY_INVALID: .*bad\.json.*revision/);
  });

  it('a broken witnesses.json in the data folder is named with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-cfg-'));
    writeFileSync(join(dir, 'witnesses.json'), '{ not json');
    expect(only({}, { dataDir: dir })).toMatch(new RegExp(`^witnesses\\.json: .+ Fix: correct ${join(dir, 'witnesses.json').replace(/[.]/g, '\\.')}`));
  });

  it('runs checks that live above the services (the trusted-proxy parser) and names their setting', () => {
    const extraChecks = { NIGHTCORE_TRUSTED_PROXIES: (v: string) => (v === 'ok' ? undefined : `"${v}" is not an address`) };
    expect(messages({ NIGHTCORE_TRUSTED_PROXIES: 'ok' }, { extraChecks })).toEqual([]);
    expect(only({ NIGHTCORE_TRUSTED_PROXIES: 'proxy.example' }, { extraChecks })).toBe(
      'NIGHTCORE_TRUSTED_PROXIES: "proxy.example" is not an address. Fix: give a hop count (1) or addresses and CIDR ranges (10.0.0.0/8, ::1, loopback), or unset it',
    );
  });

  it('reports every problem at once, not just the first', () => {
    expect(messages({ PORT: '0', NIGHTCORE_POOL_SIZE: '999', NIGHTCORE_BACKEND: 'x' }).map((m) => m.split(':')[0])).toEqual(['PORT', 'NIGHTCORE_BACKEND', 'NIGHTCORE_POOL_SIZE']);
  });
});

describe('effective configuration', () => {
  it('says where each value came from and masks secrets, in values and in messages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-cfg-'));
    writeFileSync(join(dir, 'auth-secret'), 'x'.repeat(48), { mode: 0o600 });
    const secret = 'hunter2-hunter2-hunter2-hunter2-hunter2';
    const report = checkConfig({ NIGHTCORE_POOL_SIZE: '3', NIGHTCORE_METRICS_TOKEN: secret, NIGHTCORE_ADMIN_PASSWORD: 'short-pw' }, { dataDir: dir });
    const by = (n: string) => report.settings.find((s) => s.name === n)!;
    expect(by('NIGHTCORE_POOL_SIZE')).toEqual({ name: 'NIGHTCORE_POOL_SIZE', value: '3', source: 'env', secret: false });
    expect(by('NIGHTCORE_METRICS_TOKEN')).toEqual({ name: 'NIGHTCORE_METRICS_TOKEN', value: `(set, ${secret.length} characters)`, source: 'env', secret: true });
    expect(by('AUTH_SECRET')).toMatchObject({ source: 'file', value: `(kept in ${join(dir, 'auth-secret')})` });
    expect(by('NIGHTCORE_BACKEND')).toMatchObject({ source: 'default', value: 'worker-threads' });
    const everything = JSON.stringify(report);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('short-pw');
  });

  it('requireValidConfig throws one error listing every error, and passes warnings on', () => {
    const warnings: string[] = [];
    expect(() => requireValidConfig({ PORT: 'x', NIGHTCORE_BACKEND: 'y', NIGHTCORE_DATTA: 'd' }, { warn: (l) => warnings.push(l) })).toThrow(ConfigError);
    try {
      requireValidConfig({ PORT: 'x', NIGHTCORE_BACKEND: 'y' });
    } catch (e) {
      expect((e as Error).message).toBe(
        'the configuration is invalid; Night Core will not start:\n' +
          '  - PORT: the value ("x") must be a whole number, a TCP port. Fix: set PORT to a free TCP port such as 3000\n' +
          '  - NIGHTCORE_BACKEND: the value ("y") must be worker-threads, process or remote. Fix: set NIGHTCORE_BACKEND to worker-threads, process or remote',
      );
    }
    expect(warnings).toEqual(['configuration warning: NIGHTCORE_DATTA: is not a Night Core setting and is ignored (did you mean NIGHTCORE_DATA?). Fix: rename it to NIGHTCORE_DATA']);
    expect(requireValidConfig({ NIGHTCORE_POOL_SIZE: '2' }).problems).toEqual([]);
  });

  it('suggests only close names', () => {
    expect(closestSetting('NIGHTCORE_POOLSIZE')).toBe('NIGHTCORE_POOL_SIZE');
    expect(closestSetting('NIGHTCORE_METRIC_TOKEN')).toBe('NIGHTCORE_METRICS_TOKEN');
    expect(closestSetting('NIGHTCORE_SOMETHING_ELSE_ENTIRELY')).toBeUndefined();
  });
});
