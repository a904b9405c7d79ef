/** The proof commands: prove and consistency print bundles that `audit check` verifies with only the key. */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProofCommands } from './commands-audit-proofs';
import { parseCommandArgs, type Command } from './command';
import { UsageError, type Out } from './io';
import { memoryServices } from '../api/test-support';
import type { Services } from '../services/index';
import type { DbHandle } from '../../db/client';
import { verifierKeyOf } from '../services/audit-proofs';

const handles: DbHandle[] = [];
const dirs: string[] = [];
afterEach(() => {
  handles.splice(0).forEach((h) => h.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function harness() {
  const { services, handle } = memoryServices();
  handles.push(handle);
  const printed: string[] = [];
  const commands = createProofCommands({
    withServices: async <T,>(_values: unknown, fn: (s: Services) => T | Promise<T>) => fn(services),
    print: (text) => void printed.push(text),
  });
  const lines: string[] = [];
  const errors: string[] = [];
  const out: Out = { json: false, line: (t) => lines.push(t), error: (t) => errors.push(t), data: () => {} };
  const run = async (command: Command, argv: string[] = []) => {
    const parsed = parseCommandArgs(command, argv);
    return command.run({ values: parsed.values, positionals: parsed.positionals, out });
  };
  const dir = mkdtempSync(join(tmpdir(), 'nc-proofs-'));
  dirs.push(dir);
  return { commands, run, lines, errors, printed, services, dir };
}

describe('audit prove / consistency / check', () => {
  it('a proof printed by the server verifies offline with the printed key; an edited one is refused', async () => {
    const h = harness();
    h.services.audit.appendMany(Array.from({ length: 30 }, (_, i) => ({ actor: 'user:op', action: 'run.decided' as const, subject: `run:${i}`, payload: { i } })));
    const first = h.services.audit.latestCheckpoint()!.seq;
    h.services.audit.appendMany(Array.from({ length: 10 }, (_, i) => ({ actor: 'user:op', action: 'run.decided' as const, subject: `run:b${i}`, payload: { i } })));
    expect(h.services.audit.checkpoint()?.seq).toBe(40);

    expect(await h.run(h.commands.auditKey)).toBe(0);
    const vkey = h.lines.pop()!;
    expect(vkey).toBe(verifierKeyOf(h.services.audit, h.services.serverKey.publicKey));
    const keyFile = join(h.dir, 'log.vkey');
    writeFileSync(keyFile, `${vkey}\n`);

    expect(await h.run(h.commands.auditProve, ['7'])).toBe(0);
    const proofFile = join(h.dir, 'seven.json');
    writeFileSync(proofFile, h.printed.pop()!);
    expect(await h.run(h.commands.auditCheck, [proofFile, '--key', vkey])).toBe(0);
    expect(h.lines.pop()).toContain('verified: event 7 is in the tree of size 40');
    expect(await h.run(h.commands.auditCheck, [proofFile, '--key', keyFile])).toBe(0);

    const bundle = JSON.parse(readFileSync(proofFile, 'utf8'));
    bundle.event.actor = 'user:someone-else';
    writeFileSync(proofFile, JSON.stringify(bundle));
    expect(await h.run(h.commands.auditCheck, [proofFile, '--key', vkey])).toBe(1);
    expect(h.errors.pop()).toContain('EVENT_HASH_MISMATCH');

    expect(await h.run(h.commands.auditConsistency, [String(first), '40'])).toBe(0);
    const consistencyFile = join(h.dir, 'consistency.json');
    writeFileSync(consistencyFile, h.printed.pop()!);
    expect(await h.run(h.commands.auditCheck, [consistencyFile, '--key', vkey])).toBe(0);
    expect(h.lines.pop()).toContain(`extends the tree of size ${first}`);
  });

  it('bad arguments are usage errors; junk and foreign keys are refused with codes', async () => {
    const h = harness();
    h.services.audit.append({ actor: 'user:op', action: 'run.decided', subject: 'run:1', payload: {} });
    await expect(h.run(h.commands.auditProve, ['0'])).rejects.toThrow(UsageError);
    await expect(h.run(h.commands.auditProve, ['1', '--size', '1e3'])).rejects.toThrow(UsageError);
    await expect(h.run(h.commands.auditConsistency, ['2', 'x'])).rejects.toThrow(UsageError);
    expect(await h.run(h.commands.auditProve, ['9'])).toBe(1);
    expect(h.errors.pop()).toContain('EVENT_NOT_FOUND');
    const junk = join(h.dir, 'junk.json');
    writeFileSync(junk, '{not json');
    const vkey = verifierKeyOf(h.services.audit, h.services.serverKey.publicKey);
    expect(await h.run(h.commands.auditCheck, [junk, '--key', vkey])).toBe(1);
    expect(h.errors.pop()).toContain('BUNDLE_MALFORMED');
    expect(await h.run(h.commands.auditCheck, [junk, '--key', 'name+00000000+AAAA'])).toBe(1);
    expect(h.errors.pop()).toContain('VERIFIER_KEY_MALFORMED');
  });
});
