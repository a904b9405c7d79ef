/**
 * `nightcore`: dispatches to one command. Exit codes: 0 success, 1 rejected or failed
 * verification (with the error code), 2 usage error.
 */
import './zod-jitless'; // first: before any schema is built (see the file)
import { COMMON_OPTIONS, helpText, parseCommandArgs, type Command } from './command';
import { SHELLS, completionScript, type Shell } from './completion';
import { closest } from './suggest';
import { EXIT_OK, EXIT_REJECTED, EXIT_USAGE, UsageError, makeOut, reject } from './io';
import { keygen, trustAdd, trustList, trustRevoke } from './commands-keys';
import { init, sign, verify, inspect, importCmd } from './commands-modules';
import { AUDIT_COMMANDS } from './commands-audit';
import { WITNESS_COMMANDS } from './commands-witness';
import { run, runsList, runsShow, replay, policyCheck } from './commands-runs';
import { call } from './commands-call';
import { node, serverKey } from './commands-node';
import { SERVER_KEY_COMMANDS } from './commands-server-key';
import { backends } from './commands-backends';
import { ServiceStartError } from '../services';
import { USER_COMMANDS } from './commands-users';
import { INBOX_COMMANDS } from './commands-inbox';
import { QUARANTINE_COMMANDS } from './commands-quarantine';
import { DELIVERY_COMMANDS } from './commands-delivery';
import { POLICY_COMMANDS } from './commands-policy';
import { LICENSE_COMMANDS } from './commands-license';
import { POLICY_ANALYSIS_COMMANDS } from './commands-policy-analysis';
import { REPORT_COMMANDS } from './commands-report';
import { configCheck } from './commands-config';
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
  ...POLICY_COMMANDS,
  ...AUDIT_COMMANDS,
  ...WITNESS_COMMANDS,
  serverKey,
  ...SERVER_KEY_COMMANDS,
  node,
  backends,
  ...USER_COMMANDS,
  ...INBOX_COMMANDS,
  ...QUARANTINE_COMMANDS,
  ...DELIVERY_COMMANDS,
  ...LICENSE_COMMANDS,
  ...POLICY_ANALYSIS_COMMANDS,
  ...REPORT_COMMANDS,
  configCheck,
  migrate,
  backup,
  restore,
];

const completion: Command = {
  name: 'completion',
  summary: 'print a shell completion script (bash, zsh or fish) for every command and option',
  usage: 'nightcore completion bash|zsh|fish',
  options: {},
  optionHelp: {},
  positionals: 1,
  run({ positionals }) {
    const shell = positionals[0] as Shell;
    if (!SHELLS.includes(shell)) throw new UsageError(`the shell must be one of ${SHELLS.join(', ')}`);
    // The script itself is the output to keep, even with --quiet.
    process.stdout.write(completionScript(shell, COMMANDS, COMMON_OPTIONS));
    return EXIT_OK;
  },
};

/** Every command including `completion`, which is built from the others. */
const ALL_COMMANDS: readonly Command[] = [...COMMANDS, completion];

function overview(): string {
  const width = Math.max(...ALL_COMMANDS.map((c) => c.name.length));
  return [
    'nightcore — execution firewall for WebAssembly',
    '',
    'usage: nightcore <command> [options]   (nightcore <command> --help for details)',
    '',
    'commands:',
    ...ALL_COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'exit codes: 0 success, 1 rejected or failed (with an error code), 2 usage error',
    'output: plain text without colour (NO_COLOR and pipes need nothing special); --json for programs, --quiet for scripts',
  ].join('\n');
}

/** Finds the longest command name that prefixes argv ("trust add" before "trust"). */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = ALL_COMMANDS.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(words) };
  }
  return undefined;
}

/** "unknown command", with the nearest command if one is close, or the commands of a known group. */
export function unknownCommandMessage(argv: readonly string[]): string {
  const words = argv.filter((w) => !w.startsWith('-')).slice(0, 2);
  const names = ALL_COMMANDS.map((c) => c.name);
  const pair = words.join(' ');
  const nearPair = words.length === 2 ? closest(pair, names) : undefined;
  const typed = nearPair ? pair : (words[0] ?? '');
  const near = nearPair ?? closest(typed, names);
  if (near) return `unknown command "${typed}"; did you mean "nightcore ${near}"?`;
  const group = ALL_COMMANDS.filter((c) => c.name.startsWith(`${words[0]} `));
  if (group.length) return `unknown command "${pair}": ${group.map((c) => c.name).join(', ')}`;
  return `unknown command "${typed}"; run nightcore --help`;
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
    process.stderr.write(`${unknownCommandMessage(argv)}\n`);
    return EXIT_USAGE;
  }
  const { command, rest } = found;
  const json = rest.includes('--json');
  const quiet = rest.includes('--quiet') || rest.includes('-q');
  const out = makeOut(json, process.stdout, process.stderr, quiet);
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
