/**
 * Structured logs: one JSON object per line on standard output, for the collectors operators
 * already run (journald, Docker, Loki, ...). Every line has `time`, `level` and `msg`; request
 * lines carry `requestId`. Values are JSON-encoded, so a newline or quote in a module name or a
 * path cannot forge a second log line.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry these fields (a request's id, a component name). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

const RESERVED = new Set(['time', 'level', 'msg']);

function safeJson(value: Record<string, unknown>): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? { name: v.name, message: v.message } : v));
  } catch {
    return JSON.stringify({ time: value.time, level: value.level, msg: value.msg, logError: 'fields could not be serialised' });
  }
}

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const log = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    const extra: Record<string, unknown> = {};
    // time, level and msg are the logger's: a field cannot overwrite them.
    for (const [k, v] of Object.entries({ ...bound, ...fields })) extra[RESERVED.has(k) ? `field_${k}` : k] = v;
    write(`${safeJson({ time: now().toISOString(), level, msg, ...extra })}\n`);
  };
  return {
    log,
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** The process's logger (the console's request lines, start-up problems). */
export const logger: Logger = createLogger();
