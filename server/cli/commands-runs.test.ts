/** `nightcore run --stdin FILE` over the limit: a rejected run (INPUT_TOO_LARGE, exit 1), as the README promises, not a usage error. */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './commands-runs';
import { parseCommandArgs } from './command';
import { EXIT_REJECTED, type Out } from './io';
import { INPUT_LIMITS } from '../core/run';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function capture(json: boolean) {
  const data: unknown[] = [];
  const errors: string[] = [];
  const out: Out = { json, line: () => undefined, error: (t) => errors.push(t), data: (v) => data.push(v), dataStreamed: async (v) => void data.push(v) };
  return { out, data, errors };
}

describe('nightcore run --stdin', () => {
  it('one byte over 16 MiB is INPUT_TOO_LARGE with exit 1, before the module or the data folder is touched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-stdin-'));
    dirs.push(dir);
    const file = join(dir, 'input.bin');
    writeFileSync(file, '');
    truncateSync(file, INPUT_LIMITS.stdinBytes + 1); // sparse: costs no disk or memory
    const argv = ['no-such-module', '--stdin', file, '--data', join(dir, 'never-opened')];
    const parsed = parseCommandArgs(run, [...argv, '--json']);
    const json = capture(true);
    expect(await run.run({ values: parsed.values, positionals: parsed.positionals, out: json.out })).toBe(EXIT_REJECTED);
    expect(json.data).toEqual([{ ok: false, code: 'INPUT_TOO_LARGE', message: `--stdin is larger than ${INPUT_LIMITS.stdinBytes} bytes`, issues: [] }]);

    const text = capture(false);
    const plain = parseCommandArgs(run, argv);
    expect(await run.run({ values: plain.values, positionals: plain.positionals, out: text.out })).toBe(EXIT_REJECTED);
    expect(text.errors).toEqual([`rejected: INPUT_TOO_LARGE: --stdin is larger than ${INPUT_LIMITS.stdinBytes} bytes`]);
  });
});
