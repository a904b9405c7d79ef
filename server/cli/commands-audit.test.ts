/** The CLI audit commands over an in-memory log: they share the console's verify and export paths. */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditCommands, uncheckpointedText } from './commands-audit';
import { parseCommandArgs, type Command } from './command';
import type { Out } from './io';
import { memoryServices } from '../api/test-support';
import type { Services } from '../services/index';
import type { DbHandle } from '../../db/client';

const handles: DbHandle[] = [];
const dirs: string[] = [];
afterEach(() => {
  handles.splice(0).forEach((h) => h.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function harness() {
  const { services, handle } = memoryServices();
  handles.push(handle);
  const stdout: string[] = [];
  const commands = createAuditCommands({
    withServices: async <T,>(_values: unknown, fn: (s: Services) => T | Promise<T>) => fn(services),
    actor: () => 'cli:tester',
    stdout: (chunk) => void stdout.push(chunk),
  });
  const lines: string[] = [];
  const errors: string[] = [];
  const data: unknown[] = [];
  const out: Out = { json: false, line: (t) => lines.push(t), error: (t) => errors.push(t), data: (v) => data.push(v) };
  const run = async (command: Command, argv: string[] = []) => {
    const parsed = parseCommandArgs(command, argv);
    return command.run({ values: parsed.values, positionals: parsed.positionals, out });
  };
  return { commands, run, lines, errors, stdout, audit: services.audit, sqlite: handle.sqlite };
}

const routine = (i: number) => ({ actor: 'user:op', action: 'run.decided' as const, subject: `run:${i}`, payload: { i } });
const newest = (h: ReturnType<typeof harness>, action: 'audit.verified' | 'audit.exported') => {
  const page = h.audit.page({ action, limit: 1 });
  return page.ok ? page.value.events[0] : undefined;
};

describe('audit verify (CLI)', () => {
  it('records audit.verified like the console, and says plainly how many events are after the last checkpoint', async () => {
    const h = harness();
    for (let i = 1; i <= 4; i++) h.audit.append(routine(i));
    expect(await h.run(h.commands.auditVerify)).toBe(0);
    expect(h.lines.join('\n')).toContain('audit chain intact: 4 events, 1 signed checkpoint(s) verified');
    expect(h.lines.join('\n')).toContain('3 events are after the last signed checkpoint: they could be rewritten without detection');
    const event = newest(h, 'audit.verified');
    expect(event?.actor).toBe('cli:tester');
    expect(JSON.parse(event!.payload)).toEqual({ ok: true, events: 4, checkpoints: 1, uncheckpointed: 3 });
  });

  it('a broken chain exits 1 with the code, and the failure is recorded too', async () => {
    const h = harness();
    for (let i = 1; i <= 4; i++) h.audit.append(routine(i));
    const triggers = h.sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
    for (const t of triggers) h.sqlite.exec(`DROP TRIGGER ${t.name}`);
    h.sqlite.prepare("UPDATE audit_events SET actor = 'user:mallory' WHERE seq = 2").run();
    for (const t of triggers) h.sqlite.exec(t.sql);
    expect(await h.run(h.commands.auditVerify)).toBe(1);
    expect(h.errors.join('\n')).toContain('HASH_MISMATCH');
    expect(JSON.parse(newest(h, 'audit.verified')!.payload)).toMatchObject({ ok: false, code: 'HASH_MISMATCH', seq: 2 });
  });
});

describe('audit checkpoint (CLI)', () => {
  it('seals the events after the last checkpoint on demand; an empty log is refused with a code', async () => {
    const h = harness();
    expect(await h.run(h.commands.auditCheckpoint)).toBe(1);
    expect(h.errors.join('\n')).toContain('AUDIT_EMPTY');
    for (let i = 1; i <= 3; i++) h.audit.append(routine(i));
    expect(h.audit.verify()).toMatchObject({ uncheckpointed: 2 });
    expect(await h.run(h.commands.auditCheckpoint)).toBe(0);
    expect(h.lines.join('\n')).toContain('checkpoint at seq 3');
    expect(h.audit.verify()).toMatchObject({ ok: true, uncheckpointed: 0 });
    expect(uncheckpointedText(0)).toBe('every event is covered by a signed checkpoint');
  });
});

describe('audit export (CLI)', () => {
  it('to standard output and to a new file through the shared export path, each recorded; never overwrites', async () => {
    const h = harness();
    for (let i = 1; i <= 3; i++) h.audit.append(routine(i));
    expect(await h.run(h.commands.auditExport, ['--format', 'jsonl'])).toBe(0);
    expect(h.stdout.join('').trimEnd().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3]);
    expect(JSON.parse(newest(h, 'audit.exported')!.payload)).toEqual({ format: 'jsonl', to: 'stdout', events: 3, complete: true, filter: {} });

    const dir = mkdtempSync(join(tmpdir(), 'nc-export-'));
    dirs.push(dir);
    const file = join(dir, 'audit.csv');
    expect(await h.run(h.commands.auditExport, ['--format', 'csv', '--out', file])).toBe(0);
    expect(readFileSync(file, 'utf8').split('\r\n')[0]).toBe('seq,time,actor,action,subject,payload,prev_hash,hash');
    expect(JSON.parse(newest(h, 'audit.exported')!.payload)).toMatchObject({ format: 'csv', to: file, events: 4, complete: true });
    await expect(h.run(h.commands.auditExport, ['--format', 'csv', '--out', file])).rejects.toThrow(/EEXIST/);
  });
});
