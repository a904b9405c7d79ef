/**
 * The shape of a CLI command and its argument parsing. node:util's parseArgs in strict mode turns
 * unknown or malformed options into usage errors (exit 2) instead of guesses.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type Out } from './io';

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
  data: { type: 'string' },
};

const COMMON_HELP: Record<string, string> = {
  help: 'show this help',
  json: 'print machine-readable JSON (failures carry a `code` field)',
  data: 'data folder (default: $NIGHTCORE_DATA or ./data)',
};

export function parseCommandArgs(command: Command, argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
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

export function helpText(command: Command): string {
  const lines = [`nightcore ${command.name} — ${command.summary}`, '', `usage: ${command.usage}`, ''];
  lines.push('options:');
  for (const [name, spec] of Object.entries({ ...command.options, ...COMMON_OPTIONS })) {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ' <value>' : ''}`;
    lines.push(`  ${flag.padEnd(28)} ${command.optionHelp[name] ?? COMMON_HELP[name] ?? ''}`.trimEnd());
  }
  return lines.join('\n');
}
