/** Quarantine from a terminal: hold a version, sign releases with key files, nobody releases alone, history. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HELLO, variant } from '../core/sandbox/test-modules';
import { generateKeyPair } from '../core/crypto/ed25519';
import { encodePrivateKeyFile } from '../core/crypto/keys';
import { openInboxHarness, type InboxHarness, type Person } from '../services/test-inbox';
import { createQuarantineCommands } from './commands-quarantine';
import { parseCommandArgs, type Command } from './command';
import type { Out } from './io';
import type { Services } from '../services/index';

describe('quarantine commands', () => {
  let h: InboxHarness;
  let dir: string;
  let lines: string[], errors: string[];
  let commands: ReturnType<typeof createQuarantineCommands>;
  const run = async (command: Command, argv: string[]) => {
    lines = [];
    errors = [];
    const out: Out = { json: false, line: (t) => lines.push(t), error: (t) => errors.push(t), data: () => {} };
    const parsed = parseCommandArgs(command, argv);
    return command.run({ values: parsed.values, positionals: parsed.positionals, out });
  };
  const keyFileOf = (p: Person) => {
    const file = join(dir, `${p.username}.key`);
    writeFileSync(file, encodePrivateKeyFile({ seed: p.seed, publicKey: h.services.trust.lookup(p.keyid)!.publicKey }), { mode: 0o600 });
    return file;
  };

  beforeAll(() => {
    h = openInboxHarness();
    dir = mkdtempSync(join(tmpdir(), 'nightcore-quarantine-cli-'));
    commands = createQuarantineCommands({
      withServices: async <T,>(_v: unknown, fn: (s: Services) => T | Promise<T>) => fn(h.services),
      now: () => new Date(),
      actor: () => 'cli:olga',
    });
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('add → one signature is not enough → the second (other group) releases → history names both', async () => {
    const m = h.install(variant(HELLO, 'cli-q'), { name: 'cli-q', version: '1.0.0' });
    const alice = h.person('alice', 'approver');
    const carol = h.person('carol', 'approver');
    expect(await run(commands.add, ['cli-q@1.0.0', '--reason', 'odd output'])).toBe(0);
    expect(lines[0]).toContain('quarantined cli-q');
    expect(await run(commands.add, ['cli-q@9.9.9', '--reason', 'x'])).toBe(1);
    expect(errors.join('\n')).toContain('MODULE_NOT_FOUND');

    expect(await run(commands.release, [m.wasmSha256, '--key', keyFileOf(alice), '--reason', 'checked the output'])).toBe(0);
    expect(lines.join('\n')).toContain('still in quarantine: 1 of 2 approval(s) needed');
    expect(h.services.quarantine.active(m.wasmSha256)).toBeDefined();
    expect(await run(commands.list, [])).toBe(0);
    expect(lines.join('\n')).toContain('signed by alice');

    expect(await run(commands.release, [m.wasmSha256, '--key', keyFileOf(carol), '--reason', 'agreed'])).toBe(0);
    expect(lines.join('\n')).toContain('released cli-q');
    expect(h.services.quarantine.active(m.wasmSha256)).toBeUndefined();
    expect(await run(commands.history, [])).toBe(0);
    expect(lines.join('\n')).toMatch(/by quorum: alice, carol[\s\S]*alice .* checked the output[\s\S]*carol .* agreed/);

    expect(await run(commands.release, [m.wasmSha256, '--key', keyFileOf(carol), '--reason', 'again'])).toBe(1);
    expect(errors.join('\n')).toContain('NOT_QUARANTINED');
  });

  it('a key registered to nobody is refused; a bad digest is a usage error', async () => {
    const m = h.install(variant(HELLO, 'cli-q2'), { name: 'cli-q2', version: '1.0.0' });
    expect(await run(commands.add, [m.wasmSha256, '--reason', 'suspicious'])).toBe(0);
    const stray = join(dir, 'stray.key');
    writeFileSync(stray, encodePrivateKeyFile(generateKeyPair()), { mode: 0o600 });
    expect(await run(commands.release, [m.wasmSha256, '--key', stray, '--reason', 'trust me'])).toBe(1);
    expect(errors.join('\n')).toContain('KEY_UNBOUND');
    await expect(run(commands.release, ['XYZ', '--key', stray, '--reason', 'x'])).rejects.toThrow(/64 lower-case hex/);
    expect(h.services.quarantine.active(m.wasmSha256)).toBeDefined();
  });
});
