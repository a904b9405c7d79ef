import { describe, it, expect, afterEach } from 'vitest';
import { createUserCommands, USER_COMMANDS } from './commands-users';
import { parseCommandArgs, type Command } from './command';
import { UsageError, type Out } from './io';
import { memoryServices } from '../api/test-support';
import { usersOf } from '../services/users';
import type { Services } from '../services/index';
import type { DbHandle } from '../../db/client';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));

function harness(stdin = '') {
  const { services, handle } = memoryServices();
  handles.push(handle);
  const commands = createUserCommands({
    withServices: async <T,>(_values: unknown, fn: (s: Services) => T | Promise<T>) => fn(services),
    readStdin: async () => stdin,
    actor: () => 'cli:tester',
  });
  const lines: string[] = [];
  const errors: string[] = [];
  const data: unknown[] = [];
  const out: Out = { json: false, line: (t) => lines.push(t), error: (t) => errors.push(t), data: (v) => data.push(v), dataStreamed: async (v) => void data.push(v) };
  const run = async (command: Command, argv: string[]) => {
    const parsed = parseCommandArgs(command, argv);
    return command.run({ values: parsed.values, positionals: parsed.positionals, out });
  };
  return { commands, run, lines, errors, data, services };
}

describe('user commands', () => {
  it('user add generates and prints a password once, or reads it from stdin', async () => {
    const h = harness('from-stdin-password\n');
    expect(await h.run(h.commands.userAdd, ['alice', '--role', 'operator'])).toBe(0);
    const printed = h.lines.join('\n').match(/shown only this once\): (\S+)/)?.[1];
    expect(printed).toBeDefined();
    const users = usersOf(h.services);
    expect((await users.verifyLogin('alice', printed!, 'cli')).ok).toBe(true);
    expect(await h.run(h.commands.userAdd, ['bob', '--role', 'viewer', '--password-stdin'])).toBe(0);
    expect(h.lines.join('\n')).not.toContain('from-stdin-password');
    expect((await users.verifyLogin('bob', 'from-stdin-password', 'cli')).ok).toBe(true);
    expect(users.findByUsername('bob')?.createdBy).toBe('cli:tester');
  });

  it('rejects a short stdin password, a bad name, a duplicate (exit 1 with the code)', async () => {
    const h = harness('short\n');
    expect(await h.run(h.commands.userAdd, ['carol', '--role', 'viewer', '--password-stdin'])).toBe(1);
    expect(h.errors.join('\n')).toContain('PASSWORD_TOO_SHORT');
    expect(await h.run(h.commands.userAdd, ['Carol!', '--role', 'viewer'])).toBe(1);
    expect(h.errors.join('\n')).toContain('INVALID_USERNAME');
    expect(await h.run(h.commands.userAdd, ['carol', '--role', 'viewer'])).toBe(0);
    expect(await h.run(h.commands.userAdd, ['carol', '--role', 'viewer'])).toBe(1);
    expect(h.errors.join('\n')).toContain('USER_EXISTS');
  });

  it('usage errors: missing or unknown role, missing username', async () => {
    const h = harness();
    await expect(h.run(h.commands.userAdd, ['dave'])).rejects.toThrow(UsageError);
    await expect(h.run(h.commands.userAdd, ['dave', '--role', 'root'])).rejects.toThrow(/--role must be one of/);
    await expect(h.run(h.commands.userSetRole, ['--role', 'admin'])).rejects.toThrow(UsageError);
  });

  it('list, set-role and disable, audited with the shell user as actor', async () => {
    const h = harness();
    await h.run(h.commands.userAdd, ['erin', '--role', 'admin']);
    await h.run(h.commands.userAdd, ['frank', '--role', 'viewer']);
    expect(await h.run(h.commands.userSetRole, ['frank', '--role', 'approver'])).toBe(0);
    expect(await h.run(h.commands.userDisable, ['frank'])).toBe(0);
    expect(await h.run(h.commands.userDisable, ['erin'])).toBe(1); // the last active admin
    expect(h.errors.join('\n')).toContain('LAST_ADMIN');
    expect(await h.run(h.commands.userDisable, ['ghost'])).toBe(1);
    h.lines.length = 0;
    expect(await h.run(h.commands.userList, [])).toBe(0);
    expect(h.lines).toHaveLength(2);
    expect(h.lines[1]).toMatch(/^frank\s+approver\s+disabled/);
    const page = h.services.audit.page({ limit: 50 });
    const events = page.ok ? page.value.events : [];
    expect(events.filter((e) => e.actor === 'cli:tester').map((e) => e.action).sort()).toEqual(
      ['user.created', 'user.created', 'user.disabled', 'user.role_changed'].sort(),
    );
  });

  it('user signout ends every session of the account, audited with the shell user as actor', async () => {
    const h = harness();
    await h.run(h.commands.userAdd, ['gina', '--role', 'operator']);
    const users = usersOf(h.services);
    const password = (h.data[0] as { password: string }).password;
    const sessions: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await users.verifyLogin('gina', password, '198.51.100.7', { startSession: true });
      sessions.push(r.ok ? r.value.sessionId! : '');
    }
    expect(sessions.map((id) => users.userForSession(id)?.username)).toEqual(['gina', 'gina']);
    h.lines.length = 0;
    expect(await h.run(h.commands.userSignout, ['gina'])).toBe(0);
    expect(h.lines).toEqual(['signed gina out everywhere (2 active sessions ended)']);
    expect(sessions.map((id) => users.userForSession(id))).toEqual([undefined, undefined]);
    const page = h.services.audit.page({ action: 'auth.sessions_revoked' });
    expect(page.ok && page.value.events.map((e) => [e.actor, e.subject])).toEqual([['cli:tester', 'user:gina']]);
    expect(await h.run(h.commands.userSignout, ['ghost'])).toBe(1);
    expect(h.errors.join('\n')).toContain('USER_NOT_FOUND');
  });

  it('user set-password sets a new password (stdin or generated) and ends the sessions', async () => {
    const h = harness('a-new-stdin-password\n');
    await h.run(h.commands.userAdd, ['hank', '--role', 'viewer']);
    const users = usersOf(h.services);
    const first = (h.data[0] as { password: string }).password;
    const login = await users.verifyLogin('hank', first, '::1', { startSession: true });
    const session = login.ok ? login.value.sessionId! : '';
    expect(await h.run(h.commands.userSetPassword, ['hank', '--password-stdin'])).toBe(0);
    expect(h.lines.join('\n')).not.toContain('a-new-stdin-password');
    expect(users.userForSession(session)).toBeUndefined();
    expect((await users.verifyLogin('hank', first, '::1')).ok).toBe(false);
    expect((await users.verifyLogin('hank', 'a-new-stdin-password', '::1')).ok).toBe(true);
    expect(await h.run(h.commands.userSetPassword, ['hank'])).toBe(0);
    const generated = h.lines.join('\n').match(/shown only this once\): (\S+)/g)?.at(-1)?.split(': ')[1];
    expect((await users.verifyLogin('hank', generated!, '::1')).ok).toBe(true);
    const short = harness('short\n');
    await short.run(short.commands.userAdd, ['ivy', '--role', 'viewer']);
    expect(await short.run(short.commands.userSetPassword, ['ivy', '--password-stdin'])).toBe(1);
    expect(short.errors.join('\n')).toContain('PASSWORD_TOO_SHORT');
  });

  it('user unlock records the unlock (audited) so failures before it stop counting, in whichever process signs in', async () => {
    const h = harness();
    await h.run(h.commands.userAdd, ['jill', '--role', 'viewer']);
    const users = usersOf(h.services);
    for (let i = 0; i < 3; i++) await users.verifyLogin('jill', `wrong-password-${i}`, '::1');
    expect(users.findByUsername('jill')?.failedLogins).toBe(3);
    expect(users.unlockedAt('jill')).toBeUndefined();
    expect(await h.run(h.commands.userUnlock, ['jill'])).toBe(0);
    expect(h.lines.join('\n')).toContain('unlocked jill');
    expect(users.findByUsername('jill')?.failedLogins).toBe(0);
    expect(users.unlockedAt('jill')).toEqual(expect.any(Number));
    const page = h.services.audit.page({ action: 'user.unlocked' });
    expect(page.ok && page.value.events.map((e) => [e.actor, e.subject, (JSON.parse(e.payload) as { failedLogins: number }).failedLogins])).toEqual([['cli:tester', 'user:jill', 3]]);
    expect(await h.run(h.commands.userUnlock, ['ghost'])).toBe(1);
    expect(h.errors.join('\n')).toContain('USER_NOT_FOUND');
  });

  it('exports the commands with distinct names for main.ts', () => {
    expect(USER_COMMANDS.map((c) => c.name)).toEqual(['user add', 'user list', 'user disable', 'user set-role', 'user set-password', 'user signout', 'user unlock']);
  });
});
