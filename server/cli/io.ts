import { userInfo } from 'node:os';
import { writeJson } from './json-stream';

/** Small output helpers shared by the commands: one place decides text vs --json and exit codes. */
export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Out {
  readonly json: boolean;
  line(text: string): void;
  /** Output the person must keep (a secret shown once, a new id): printed even with --quiet. */
  keep?(text: string): void;
  error(text: string): void;
  data(value: unknown): void;
  /** Like data(), streamed in chunks: for values whose JSON may be too large for one string (absent in test doubles). */
  dataStreamed?(value: unknown): Promise<void>;
}

/**
 * Text for people, or JSON for programs (--json). With `quiet`, informational lines are dropped but
 * errors and `keep` lines are not. Never any colour or cursor codes, so NO_COLOR, a pipe and a dumb
 * terminal all get the same plain text.
 */
export function makeOut(json: boolean, stdout = process.stdout, stderr = process.stderr, quiet = false): Out {
  return {
    json,
    line: (text) => {
      if (!json && !quiet) stdout.write(`${text}\n`);
    },
    keep: (text) => {
      if (!json) stdout.write(`${text}\n`);
    },
    error: (text) => {
      stderr.write(`${text}\n`);
    },
    data: (value) => {
      if (json) stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    dataStreamed: async (value) => {
      if (json) await writeJson(stdout, value);
    },
  };
}

/** Prints a line the person must keep (see Out.keep); test doubles without `keep` get it as a line. */
export function keepLine(out: Out, text: string): void {
  if (out.keep) out.keep(text);
  else out.line(text);
}

/** Reports an expected failure (a value with a code) the same way in every command; returns exit 1. */
export function reject(out: Out, failure: { code: string; message: string; issues?: readonly string[] }): number {
  if (out.json) {
    out.data({ ok: false, code: failure.code, message: failure.message, issues: failure.issues ?? [] });
  } else {
    out.error(`rejected: ${failure.code}: ${failure.message}`);
    for (const issue of failure.issues ?? []) out.error(`  - ${issue}`);
  }
  return EXIT_REJECTED;
}

/** All of standard input as UTF-8 (passwords and tokens come this way, never as arguments: those end up in shell history and `ps`). */
export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** Who did it, as recorded in the audit log for actions taken from this shell. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown'; // no passwd entry (some containers)
  }
}
