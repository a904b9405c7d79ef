/**
 * CLI ergonomics (issue 16): examples in every --help that really parse, "did you mean" for
 * commands and options, --quiet keeping what must be kept, plain text only (no colour codes), and
 * completion scripts that real bash, zsh and fish accept and complete from.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMON_OPTIONS, helpText, parseCommandArgs } from './command';
import { completionScript } from './completion';
import { HELP_EXTRAS } from './help-extras';
import { keepLine, makeOut, UsageError } from './io';
import { COMMANDS, unknownCommandMessage } from './main';

const dir = mkdtempSync(join(tmpdir(), 'nightcore-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Shell words of one example: the part after a pipe, before a redirect; double quotes kept together. */
function exampleArgv(example: string): string[] {
  const command = example.split(' | ').at(-1)!.split(' > ')[0]!;
  const words = command.match(/"[^"]*"|\S+/g) ?? [];
  return words.map((w) => w.replace(/^"(.*)"$/, '$1'));
}

describe('--help', () => {
  it('every command has examples and the meaning of exit code 1, and no stale entries remain', () => {
    const names = [...COMMANDS.map((c) => c.name), 'completion'].sort();
    expect(Object.keys(HELP_EXTRAS).sort()).toEqual(names);
    for (const command of COMMANDS) {
      const help = helpText(command);
      expect(help).toContain('examples:\n  nightcore ');
      expect(help).toMatch(/exit codes: 0 success; 1 .+; 2 usage error$/);
      expect(help).not.toMatch(/\x1b\[/); // no colour or cursor codes, ever (NO_COLOR, pipes)
    }
  });

  it('every example names its command and parses with that command’s options', () => {
    for (const command of COMMANDS) {
      for (const example of HELP_EXTRAS[command.name]!.examples) {
        const argv = exampleArgv(example);
        expect(argv.slice(0, 1 + command.name.split(' ').length).join(' '), example).toBe(`nightcore ${command.name}`);
        const rest = argv.slice(1 + command.name.split(' ').length);
        expect(() => parseCommandArgs(command, rest), example).not.toThrow();
      }
    }
  });
});

describe('did you mean', () => {
  it('suggests the nearest command for a typo, lists a group, and does not guess wildly', () => {
    expect(unknownCommandMessage(['verfy', 'bundle'])).toBe('unknown command "verfy"; did you mean "nightcore verify"?');
    expect(unknownCommandMessage(['trsut', 'add', 'k.pub'])).toBe('unknown command "trsut add"; did you mean "nightcore trust add"?');
    expect(unknownCommandMessage(['audit', 'verfiy'])).toBe('unknown command "audit verfiy"; did you mean "nightcore audit verify"?');
    expect(unknownCommandMessage(['trust', 'bogus'])).toBe('unknown command "trust bogus": trust add, trust list, trust revoke');
    expect(unknownCommandMessage(['deploy'])).toBe('unknown command "deploy"; run nightcore --help');
  });

  it('suggests the nearest option of the command, as a usage error', () => {
    const verify = COMMANDS.find((c) => c.name === 'verify')!;
    expect(() => parseCommandArgs(verify, ['b', '--jsn'])).toThrow(new UsageError('unknown option --jsn; did you mean --json?'));
    const run = COMMANDS.find((c) => c.name === 'run')!;
    expect(() => parseCommandArgs(run, ['hello', '--sed=4'])).toThrow(/did you mean --seed\?/);
    // nothing close: parseArgs's own message stays
    expect(() => parseCommandArgs(verify, ['b', '--frobnicate'])).toThrow(/Unknown option '--frobnicate'/);
  });
});

describe('--quiet', () => {
  it('drops informational lines but keeps errors and what must be kept; --json is unchanged', () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out = makeOut(false, stdout as never, stderr as never, true);
    out.line('imported hello@1.0.0');
    keepLine(out, 'password (shown only this once): s3cret');
    out.error('rejected: X: y');
    expect(String(stdout.read())).toBe('password (shown only this once): s3cret\n');
    expect(String(stderr.read())).toBe('rejected: X: y\n');
    const json = new PassThrough();
    makeOut(true, json as never, stderr as never, true).data({ ok: true });
    expect(JSON.parse(String(json.read()))).toEqual({ ok: true });
  });

  it('is a common option of every command', () => {
    expect(COMMON_OPTIONS.quiet).toEqual({ type: 'boolean', short: 'q' });
    const list = COMMANDS.find((c) => c.name === 'user list')!;
    expect(parseCommandArgs(list, ['-q']).values.quiet).toBe(true);
  });
});

describe('completion scripts', () => {
  const names = COMMANDS.flatMap((c) => [...c.name.split(' '), ...Object.keys(c.options)]);
  it('are built only from words that need no quoting in any shell', () => {
    for (const word of names) expect(word).toMatch(/^[a-z0-9][a-z0-9-]*$/);
  });

  /** What bash's completion function offers for a command line (the cursor at its end). */
  function bashComplete(line: string): string[] {
    const file = join(dir, 'nightcore.bash');
    writeFileSync(file, completionScript('bash', COMMANDS, COMMON_OPTIONS));
    const words = line.split(' ');
    const script = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _nightcore; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  }

  it('bash completes commands, sub-commands and each command’s own options', () => {
    expect(bashComplete('nightcore tru')).toEqual(['trust']);
    expect(bashComplete('nightcore trust ')).toEqual(['add', 'list', 'revoke']);
    expect(bashComplete('nightcore trust add --r')).toEqual(['--role']);
    expect(bashComplete('nightcore run hello --s')).toEqual(['--save', '--seed', '--stdin']);
    expect(bashComplete('nightcore witness --l')).toEqual(['--listen', '--log']);
    expect(bashComplete('nightcore witness key --')).toEqual(['--data', '--help', '--json', '--key', '--name', '--quiet']);
    expect(bashComplete('nightcore user unlock --q')).toEqual(['--quiet']);
  });

  const shell = (name: string) => ['/usr/bin', '/bin'].map((d) => join(d, name)).find(existsSync);

  it('zsh accepts its script (syntax check by zsh itself)', () => {
    const zsh = shell('zsh');
    const script = completionScript('zsh', COMMANDS, COMMON_OPTIONS);
    expect(script.startsWith('#compdef nightcore\n')).toBe(true);
    if (!zsh) throw new Error('zsh is not installed: npm test installs it (scripts/test.mjs); apt-get install -y zsh');
    const file = join(dir, '_nightcore');
    writeFileSync(file, script);
    expect(() => execFileSync(zsh, ['-n', file])).not.toThrow();
  });

  it('fish completes from its script', () => {
    const fish = shell('fish');
    if (!fish) throw new Error('fish is not installed: npm test installs it (scripts/test.mjs); apt-get install -y fish');
    const file = join(dir, 'nightcore.fish');
    writeFileSync(file, completionScript('fish', COMMANDS, COMMON_OPTIONS));
    const complete = (line: string) =>
      execFileSync(fish, ['--no-config', '-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8' })
        .split('\n')
        .map((l) => l.split('\t')[0]!)
        .filter(Boolean)
        .sort();
    expect(complete('nightcore trust ')).toEqual(['add', 'list', 'revoke']);
    expect(complete('nightcore trust add --r')).toEqual(['--role']);
    expect(complete('nightcore witness --l')).toEqual(['--listen', '--log']);
  });
});
