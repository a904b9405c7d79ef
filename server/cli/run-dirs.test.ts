import { describe, it, expect } from 'vitest';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunFiles, releaseOutputs } from './run-dirs';
import type { RunReport } from '../core/run';

describe('nightcore run --dir / --save / --env parsing', () => {
  it('accepts wasmtime-style mappings and NAME=VALUE (the value may contain = and ::)', () => {
    const f = parseRunFiles({ dir: ['./in::/data', '/tmp/x::/'], save: ['/data::./out'], env: ['A=1=2', 'B=x::y'] });
    expect(f.dirs).toEqual([{ host: './in', guest: '/data' }, { host: '/tmp/x', guest: '/' }]);
    expect(f.saves).toEqual([{ guest: '/data', host: './out' }]);
    expect(f.env).toEqual({ A: '1=2', B: 'x::y' });
  });

  it.each([
    [{ dir: ['./in'] }, 'HOST::GUEST'],
    [{ dir: ['./in::data'] }, 'absolute guest folder'],
    [{ dir: ['./in::/a/../b'] }, 'absolute guest folder'],
    [{ dir: ['a::/d', 'b::/d'] }, 'given once'],
    [{ dir: ['a::/d'], save: ['/other::out'] }, 'not a guest folder given with --dir'],
    [{ save: ['/d'] }, 'GUEST::HOST'],
    [{ env: ['=x'] }, 'NAME=VALUE'],
    [{ env: ['NO_VALUE'] }, 'NAME=VALUE'],
    [{ env: ['BAD-NAME=1'] }, 'NAME=VALUE'],
    [{ env: ['A=1', 'A=2'] }, 'given twice'],
  ])('refuses %j as a usage error', (values, why) => {
    expect(() => parseRunFiles(values)).toThrow(why);
  });
});

describe('releasing outputs', () => {
  const report = (decision: 'allow' | 'deny'): RunReport =>
    ({
      record: { decision } as RunReport['record'],
      stdout: new Uint8Array(0),
      stderr: new Uint8Array(0),
      ...(decision === 'allow' ? { outputs: [{ guestPath: '/data', entries: [{ path: 'f', kind: 'file', data: new Uint8Array([1]) }] }] } : {}),
    }) as RunReport;

  it('writes nothing for a denied run', () => {
    const target = join(mkdtempSync(join(tmpdir(), 'nc-save-')), 'out');
    const r = releaseOutputs(report('deny'), [{ guest: '/data', host: target }]);
    expect(r).toEqual({ saved: [], withheld: true, errors: [] });
    expect(existsSync(target)).toBe(false);
  });

  it('writes an allowed run’s folder to the new host folder', () => {
    const target = join(mkdtempSync(join(tmpdir(), 'nc-save-')), 'out');
    const r = releaseOutputs(report('allow'), [{ guest: '/data', host: target }]);
    expect(r.saved).toEqual([{ guest: '/data', host: target, files: 1, bytes: 1, skippedLinks: [] }]);
    expect(existsSync(join(target, 'f'))).toBe(true);
  });
});
