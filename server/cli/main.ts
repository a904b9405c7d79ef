/**
 * `nightcore`: dispatches to one command. Exit codes: 0 success, 1 rejected or failed
 * verification (with the error code), 2 usage error.
 */
import { helpText, parseCommandArgs, type Command } from './command';
import { EXIT_OK, EXIT_REJECTED, EXIT_USAGE, UsageError, makeOut, reject } from './io';
import { keygen, trustAdd, trustList, trustRevoke } from './commands-keys';
import { init, sign, verify, inspect, importCmd } from './commands-modules';
import { AUDIT_COMMANDS } from './commands-audit';
import { WITNESS_COMMANDS } from './commands-witness';
import { run, runsList, runsShow, replay, policyCheck } from './commands-runs';
import { call } from './commands-call';
import { node, serverKey } from './commands-node';
import { backends } from './commands-backends';
import { ServiceStartError } from '../services';
import { USER_COMMANDS } from './commands-users';
import { INBOX_COMMANDS } from './commands-inbox';
import { LICENSE_COMMANDS } from './commands-license';
import { POLICY_ANALYSIS_COMMANDS } from './commands-policy-analysis';
import { REPORT_COMMANDS } from './commands-report';
import { migrate } from './commands-migrate';
import { backup, restore } from './commands-backup';

export const COMMANDS: readonly Command[] = [
  keygen,
  init,
  sign,
  verify,
  inspect,
  importCmd,
  trustAdd,
  trustList,
  trustRevoke,
  run,
  call,
  runsList,
  runsShow,
  replay,
  policyCheck,
  ...AUDIT_COMMANDS,
  ...WITNESS_COMMANDS,
  serverKey,
  node,
  backends,
  ...USER_COMMANDS,
  ...INBOX_COMMANDS,
  ...LICENSE_COMMANDS,
  ...POLICY_ANALYSIS_COMMANDS,
  ...REPORT_COMMANDS,
  migrate,
  backup,
  restore,
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'nightcore — execution firewall for WebAssembly',
    '',
    'usage: nightcore <command> [options]   (nightcore <command> --help for details)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'exit codes: 0 success, 1 rejected or failed (with an error code), 2 usage error',
  ].join('\n');
}

/** Finds the longest command name that prefixes argv ("trust add" before "trust"). */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(words) };
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  // `nightcore ... | head` closes the pipe early: that is the reader's choice, not a crash.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_OK);
    throw e;
  });
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(`${overview()}\n`);
    return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${argv[0]} `));
    const hint = group.length ? `: ${group.map((c) => c.name).join(', ')}` : '; run nightcore --help';
    process.stderr.write(`unknown command "${argv.slice(0, 2).join(' ')}"${hint}\n`);
    return EXIT_USAGE;
  }
  const { command, rest } = found;
  const json = rest.includes('--json');
  const out = makeOut(json);
  try {
    const parsed = parseCommandArgs(command, rest);
    if (parsed.help) {
      process.stdout.write(`${helpText(command)}\n`);
      return EXIT_OK;
    }
    return await command.run({ values: parsed.values, positionals: parsed.positionals, out });
  } catch (e) {
    if (e instanceof UsageError) {
      out.error(`usage error: ${e.message}\n\n${helpText(command)}`);
      if (json) out.data({ ok: false, code: 'USAGE', message: e.message });
      return EXIT_USAGE;
    }
    if (e instanceof ServiceStartError) {
      return reject(out, { code: e.code, message: e.message, issues: e.issues });
    }
    // I/O failures (missing file, permissions) are reported plainly, not as stack traces.
    const error = e as NodeJS.ErrnoException;
    if (error.code && error.syscall) {
      const message = `${error.syscall} ${error.path ?? ''}: ${error.code}`.replace(/\s+:/, ':');
      out.error(`failed: ${message}`);
      if (json) out.data({ ok: false, code: 'IO_ERROR', message });
      return EXIT_REJECTED;
    }
    throw e;
  }
}
