import { describe, it, expect, afterEach } from 'vitest';
import { resolve } from 'node:path';
import { consolePoolSize, resolveDataDir, resolvePolicyPath, resolvePoolSize } from './config';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('configuration from flags and environment', () => {
  it('takes the data folder from the flag, then NIGHTCORE_DATA, then ./data', () => {
    process.env.NIGHTCORE_DATA = '/srv/nightcore';
    expect(resolveDataDir('/tmp/flag')).toBe('/tmp/flag');
    expect(resolveDataDir()).toBe('/srv/nightcore');
    delete process.env.NIGHTCORE_DATA;
    expect(resolveDataDir()).toBe(resolve('data'));
  });

  it('takes the policy from the flag, then NIGHTCORE_POLICY, else none (the shipped default)', () => {
    process.env.NIGHTCORE_POLICY = 'policies/strict.json';
    expect(resolvePolicyPath()).toBe(resolve('policies/strict.json'));
    expect(resolvePolicyPath('/etc/p.json')).toBe('/etc/p.json');
    delete process.env.NIGHTCORE_POLICY;
    expect(resolvePolicyPath()).toBeUndefined();
  });

  it('reads NIGHTCORE_POOL_SIZE and refuses anything but a whole number from 1 to 256', () => {
    delete process.env.NIGHTCORE_POOL_SIZE;
    expect(resolvePoolSize()).toBeUndefined();
    process.env.NIGHTCORE_POOL_SIZE = '3';
    expect(resolvePoolSize()).toBe(3);
    for (const bad of ['0', '-1', '2.5', 'lots', '1000']) {
      process.env.NIGHTCORE_POOL_SIZE = bad;
      expect(() => resolvePoolSize(), bad).toThrow(/NIGHTCORE_POOL_SIZE/);
    }
  });

  it('keeps one core free for serving in the console by default, never going below one worker', () => {
    expect(consolePoolSize(2)).toBe(1);
    expect(consolePoolSize(8)).toBe(7);
    expect(consolePoolSize(1)).toBe(1);
  });
});
