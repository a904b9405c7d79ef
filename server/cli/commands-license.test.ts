/** `nightcore license show|install` in-process over real services: the edition, the refusal codes, nothing installed on failure. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../core/crypto/ed25519';
import { openHarness, type Harness } from '../services/test-fixtures';
import { testLicenseFile } from '../services/test-license';
import { createLicenseCommands } from './commands-license';
import { parseCommandArgs, type Command } from './command';
import type { Out } from './io';
import type { Services } from '../services/index';

describe('license commands', () => {
  let h: Harness;
  let dir: string;
  let lines: string[], errors: string[], data: unknown[];
  let commands: ReturnType<typeof createLicenseCommands>;
  const run = async (command: Command, argv: string[], json = false) => {
    lines = [];
    errors = [];
    data = [];
    const out: Out = { json, line: (t) => lines.push(t), error: (t) => errors.push(t), data: (v) => data.push(v) };
    const parsed = parseCommandArgs(command, argv);
    return command.run({ values: parsed.values, positionals: parsed.positionals, out });
  };
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  beforeAll(() => {
    h = openHarness();
    dir = mkdtempSync(join(tmpdir(), 'nightcore-license-cli-'));
    commands = createLicenseCommands({ withServices: async <T,>(_v: unknown, fn: (s: Services) => T | Promise<T>) => fn(h.services), actor: () => 'cli:admin' });
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('show: community with every PRO feature off', async () => {
    expect(await run(commands.licenseShow, [])).toBe(0);
    expect(lines[0]).toMatch(/^Community edition: no license is installed/);
    expect(lines.join('\n')).toMatch(/off\s+approval_quorum/);
    expect(lines.join('\n')).toContain('NON-PRODUCTION');
  });

  it('install refuses a forged license with its code (exit 1) and installs nothing', async () => {
    const forged = write('forged.json', testLicenseFile({}, { seed: generateKeyPair().seed }));
    expect(await run(commands.licenseInstall, [forged])).toBe(1);
    expect(errors[0]).toMatch(/^rejected: LICENSE_SIGNATURE_INVALID: .*altered or forged/);
    expect(await run(commands.licenseShow, ['--json'], true)).toBe(0);
    expect(data[0]).toMatchObject({ ok: true, edition: 'community' });
  });

  it('install a valid license, then show it (JSON and text)', async () => {
    const good = write('good.json', testLicenseFile({ id: 'CLI-1', licensee: 'Acme' }));
    expect(await run(commands.licenseInstall, [good])).toBe(0);
    expect(lines).toContain('installed.');
    expect(await run(commands.licenseShow, ['--json'], true)).toBe(0);
    expect(data[0]).toMatchObject({ ok: true, edition: 'pro', state: 'valid', license: { id: 'CLI-1', licensee: 'Acme', testKey: true } });
    await run(commands.licenseShow, []);
    expect(lines.join('\n')).toMatch(/on \s+policy_simulation/);
    expect(lines.join('\n')).toContain('(TEST vendor key)');
  });

  it('refuses a file too large to be a license without reading it', async () => {
    expect(await run(commands.licenseInstall, [write('big.json', 'x'.repeat(20_000))])).toBe(1);
    expect(errors[0]).toContain('LICENSE_INVALID');
  });
});
