/** `nightcore config check`: exit 0 on a valid configuration, 1 naming each error, secrets masked in --json. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  vi.restoreAllMocks();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true));
  return { out: () => out.join(''), err: () => err.join('') };
}

describe('nightcore config check', () => {
  const data = () => ['--data', mkdtempSync(join(tmpdir(), 'nc-cfgcli-'))];

  it('prints the effective configuration with sources and exits 0 when valid', async () => {
    for (const k of Object.keys(process.env)) if (k.startsWith('NIGHTCORE_')) delete process.env[k];
    process.env.NIGHTCORE_POOL_SIZE = '2';
    const io = capture();
    expect(await main(['config', 'check', ...data()])).toBe(0);
    expect(io.out()).toMatch(/NIGHTCORE_POOL_SIZE\s+env\s+2/);
    expect(io.out()).toMatch(/NIGHTCORE_BACKEND\s+default\s+worker-threads/);
    expect(io.out()).toContain('configuration valid');
  });

  it('exits 1 naming every error, and never prints a secret', async () => {
    for (const k of Object.keys(process.env)) if (k.startsWith('NIGHTCORE_')) delete process.env[k];
    process.env.NIGHTCORE_BACKEND = 'docker';
    process.env.NIGHTCORE_METRICS_TOKEN = 'bad token';
    process.env.NIGHTCORE_POOLSIZE = '3';
    const io = capture();
    expect(await main(['config', 'check', '--json', ...data()])).toBe(1);
    const json = JSON.parse(io.out()) as { ok: boolean; problems: { setting: string; severity: string }[] };
    expect(json.ok).toBe(false);
    expect(json.problems.map((p) => `${p.severity} ${p.setting}`)).toEqual(['error NIGHTCORE_BACKEND', 'error NIGHTCORE_METRICS_TOKEN', 'warning NIGHTCORE_POOLSIZE']);
    expect(io.err()).toContain('did you mean NIGHTCORE_POOL_SIZE?');
    expect(io.out() + io.err()).not.toContain('bad token');
  });
});
