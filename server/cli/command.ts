/**
 * The shape of a CLI command and its argument parsing. node:util's parseArgs in strict mode turns
 * unknown or malformed options into usage errors (exit 2) instead of guesses.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type Out } from './io';
import { helpExtraOf } from './help-extras';
import { closest } from './suggest';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Options;
  /** One line of help per option of this command. */
  readonly optionHelp: Readonly<Record<string, string>>;
  /** Positional arguments: exact count, or [min, max]. */
  readonly positionals: number | readonly [number, number];
  run(ctx: CommandContext): Promise<number> | number;
}

export interface CommandContext {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
  readonly out: Out;
}

/** Options every command accepts. */
export const COMMON_OPTIONS: Options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  data: { type: 'string' },
};

const COMMON_HELP: Record<string, string> = {
  help: 'show this help',
  json: 'print machine-readable JSON (failures carry a `code` field)',
  quiet: 'print only what the command produces for you to keep (ids, secrets shown once) and errors',
  data: 'data folder (default: $NIGHTCORE_DATA or ./data)',
};

export function parseCommandArgs(command: Command, argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(withOptionSuggestion((e as Error).message, command));
  }
  if (parsed.values.help) return { help: true as const, values: parsed.values, positionals: parsed.positionals };
  const [min, max] = typeof command.positionals === 'number' ? [command.positionals, command.positionals] : command.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    throw new UsageError(`expected ${min === max ? min : `${min} to ${max}`} argument(s), got ${parsed.positionals.length}`);
  }
  return { help: false as const, values: parsed.values, positionals: parsed.positionals };
}

export function requireString(values: CommandContext['values'], name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export function optionalString(values: CommandContext['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** parseArgs says "Unknown option '--jsn'"; add the nearest option this command has, if one is close. */
function withOptionSuggestion(message: string, command: Command): string {
  const unknown = /Unknown option '(--?[^']+)'/.exec(message)?.[1];
  if (!unknown?.startsWith('--')) return message;
  const names = Object.keys({ ...command.options, ...COMMON_OPTIONS });
  const near = closest(unknown.slice(2).split('=')[0]!, names);
  // parseArgs's own advice about '--' is for positionals that start with '-': keep it only when nothing is near.
  return near ? `unknown option ${unknown}; did you mean --${near}?` : message;
}

export function helpText(command: Command): string {
  const lines = [`nightcore ${command.name} — ${command.summary}`, '', `usage: ${command.usage}`, ''];
  lines.push('options:');
  for (const [name, spec] of Object.entries({ ...command.options, ...COMMON_OPTIONS })) {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ' <value>' : ''}`;
    lines.push(`  ${flag.padEnd(28)} ${command.optionHelp[name] ?? COMMON_HELP[name] ?? ''}`.trimEnd());
  }
  const extra = helpExtraOf(command.name, command.usage);
  lines.push('', 'examples:', ...extra.examples.map((e) => `  ${e}`));
  lines.push('', `exit codes: 0 success; 1 ${extra.exit1}; 2 usage error`);
  return lines.join('\n');
}
