/** `user add|list|disable|set-role|set-password|signout|unlock`: console accounts from the shell (e.g. to recover a lost admin). */
import { generatePassword } from '../core/access/password';
import { ROLES, isRole, type Role } from '../core/access/rbac';
import type { Services } from '../services/index';
import { usersOf, type PublicUser } from '../services/users';
import type { Command, CommandContext } from './command';
import { requireString } from './command';
import { EXIT_OK, UsageError, cliActor, readAllStdin, keepLine, reject } from './io';
import { withServices } from './services';

export interface UserCommandDeps {
  /** Opens the services for one command (default: the data folder from --data / NIGHTCORE_DATA). */
  readonly withServices: <T>(values: CommandContext['values'], fn: (s: Services) => T | Promise<T>) => Promise<T>;
  readonly readStdin: () => Promise<string>;
  readonly actor: () => string;
}

const DEFAULT_DEPS: UserCommandDeps = { withServices, readStdin: readAllStdin, actor: cliActor };

function roleOption(values: CommandContext['values']): Role {
  const role = requireString(values, 'role');
  if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  return role;
}

const describe = (u: PublicUser) =>
  `${u.username.padEnd(20)} ${u.role.padEnd(9)} ${u.disabled ? 'disabled' : 'active  '}  created ${u.createdAt.toISOString()} by ${u.createdBy}`;

const jsonUser = (u: PublicUser) => ({
  ...u,
  createdAt: u.createdAt.toISOString(),
  updatedAt: u.updatedAt.toISOString(),
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  lastFailedLoginAt: u.lastFailedLoginAt?.toISOString() ?? null,
  lockoutClearedAt: u.lockoutClearedAt?.toISOString() ?? null,
});

export function createUserCommands(deps: UserCommandDeps = DEFAULT_DEPS) {
  const userAdd: Command = {
    name: 'user add',
    summary: 'create a console account',
    usage: 'nightcore user add <username> --role viewer|operator|approver|admin [--password-stdin]',
    options: { role: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    optionHelp: {
      role: `what the account may do: ${ROLES.join(', ')}`,
      'password-stdin': 'read the password from standard input (default: generate one and print it once)',
    },
    positionals: 1,
    async run({ values, positionals, out }) {
      const role = roleOption(values);
      // From stdin, never from an argument: arguments end up in shell history and `ps`.
      const password = values['password-stdin'] ? (await deps.readStdin()).replace(/\r?\n$/, '') : generatePassword();
      return deps.withServices(values, async (s) => {
        const created = await usersOf(s).create({ username: positionals[0]!, password, role }, deps.actor());
        if (!created.ok) return reject(out, created);
        out.line(`created ${created.value.username} (${created.value.role})`);
        if (!values['password-stdin']) keepLine(out, `password (shown only this once): ${password}`);
        out.data({ ok: true, user: jsonUser(created.value), ...(values['password-stdin'] ? {} : { password }) });
        return EXIT_OK;
      });
    },
  };

  const userList: Command = {
    name: 'user list',
    summary: 'list console accounts',
    usage: 'nightcore user list [--json]',
    options: {},
    optionHelp: {},
    positionals: 0,
    run({ values, out }) {
      return deps.withServices(values, (s) => {
        const users = usersOf(s).list();
        out.data({ ok: true, users: users.map(jsonUser) });
        if (users.length === 0) out.line('no accounts yet (the console creates "admin" on first start)');
        for (const u of users) out.line(describe(u));
        return EXIT_OK;
      });
    },
  };

  const userDisable: Command = {
    name: 'user disable',
    summary: 'disable an account: its sessions stop working at once',
    usage: 'nightcore user disable <username>',
    options: {},
    optionHelp: {},
    positionals: 1,
    run({ values, positionals, out }) {
      return deps.withServices(values, (s) => {
        const disabled = usersOf(s).disable(positionals[0]!, deps.actor());
        if (!disabled.ok) return reject(out, disabled);
        out.line(`disabled ${disabled.value.username}`);
        out.data({ ok: true, user: jsonUser(disabled.value) });
        return EXIT_OK;
      });
    },
  };

  const userSetRole: Command = {
    name: 'user set-role',
    summary: "change an account's role (its sessions end; it signs in again with the new role)",
    usage: 'nightcore user set-role <username> --role viewer|operator|approver|admin',
    options: { role: { type: 'string' } },
    optionHelp: { role: `the new role: ${ROLES.join(', ')}` },
    positionals: 1,
    run({ values, positionals, out }) {
      const role = roleOption(values);
      return deps.withServices(values, (s) => {
        const changed = usersOf(s).setRole(positionals[0]!, role, deps.actor());
        if (!changed.ok) return reject(out, changed);
        out.line(`${changed.value.username} is now ${changed.value.role}`);
        out.data({ ok: true, user: jsonUser(changed.value) });
        return EXIT_OK;
      });
    },
  };

  const userSetPassword: Command = {
    name: 'user set-password',
    summary: "set an account's password and end all of its sessions",
    usage: 'nightcore user set-password <username> [--password-stdin]',
    options: { 'password-stdin': { type: 'boolean' } },
    optionHelp: { 'password-stdin': 'read the new password from standard input (default: generate one and print it once)' },
    positionals: 1,
    async run({ values, positionals, out }) {
      const fromStdin = values['password-stdin'] === true;
      const password = fromStdin ? (await deps.readStdin()).replace(/\r?\n$/, '') : generatePassword();
      return deps.withServices(values, async (s) => {
        const changed = await usersOf(s).setPassword(positionals[0]!, password, deps.actor());
        if (!changed.ok) return reject(out, changed);
        out.line(`new password set for ${changed.value.username}; every session of the account has ended`);
        if (!fromStdin) keepLine(out, `password (shown only this once): ${password}`);
        out.data({ ok: true, user: jsonUser(changed.value), ...(fromStdin ? {} : { password }) });
        return EXIT_OK;
      });
    },
  };

  const userSignout: Command = {
    name: 'user signout',
    summary: 'sign an account out everywhere: every session ends at once (audited)',
    usage: 'nightcore user signout <username>',
    options: {},
    optionHelp: {},
    positionals: 1,
    run({ values, positionals, out }) {
      return deps.withServices(values, (s) => {
        const users = usersOf(s);
        const before = users.findByUsername(positionals[0]!);
        const live = before ? users.sessions.activeCount(before.id) : 0;
        const ended = users.signOutEverywhere(positionals[0]!, deps.actor());
        if (!ended.ok) return reject(out, ended);
        out.line(`signed ${ended.value.username} out everywhere (${live} active ${live === 1 ? 'session' : 'sessions'} ended)`);
        out.data({ ok: true, user: jsonUser(ended.value), sessionsEnded: live });
        return EXIT_OK;
      });
    },
  };

  const userUnlock: Command = {
    name: 'user unlock',
    summary: 'let an account locked by failed sign-ins sign in again now (the console picks it up on the next attempt; audited)',
    usage: 'nightcore user unlock <username>',
    options: {},
    optionHelp: {},
    positionals: 1,
    run({ values, positionals, out }) {
      return deps.withServices(values, (s) => {
        const unlocked = usersOf(s).unlock(positionals[0]!, deps.actor());
        if (!unlocked.ok) return reject(out, unlocked);
        out.line(`unlocked ${unlocked.value.username}: earlier failed sign-ins no longer count`);
        out.data({ ok: true, user: jsonUser(unlocked.value) });
        return EXIT_OK;
      });
    },
  };

  return { userAdd, userList, userDisable, userSetRole, userSetPassword, userSignout, userUnlock };
}

export const { userAdd, userList, userDisable, userSetRole, userSetPassword, userSignout, userUnlock } = createUserCommands();
export const USER_COMMANDS: readonly Command[] = [userAdd, userList, userDisable, userSetRole, userSetPassword, userSignout, userUnlock];
