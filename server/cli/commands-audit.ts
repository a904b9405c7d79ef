/**
 * `audit verify`, `audit checkpoint` and `audit export`: checking, sealing and carrying out the
 * tamper-evident log. Verification and export go through the same functions as the console
 * (server/services/audit-stream.ts), so both record 'audit.verified' / 'audit.exported' alike.
 */
import { createWriteStream, openSync, closeSync, readFileSync, type WriteStream } from 'node:fs';
import { parsePublicKeyFile } from '../core/crypto/keys';
import { parseOperatorKey } from '../services/server-keys';
import type { Services } from '../services/index';
import { exportToSink, verifyWithProgress } from '../services/audit-stream';
import type { Command, CommandContext } from './command';
import { optionalString, requireString } from './command';
import { EXIT_OK, UsageError, cliActor, reject } from './io';
import { withServices } from './services';
import { PROOF_COMMANDS } from './commands-audit-proofs';

export interface AuditCommandDeps {
  readonly withServices: <T>(values: CommandContext['values'], fn: (s: Services) => T | Promise<T>) => Promise<T>;
  readonly actor: () => string;
  readonly stdout: (chunk: string) => void | Promise<void>;
}

const DEFAULT_DEPS: AuditCommandDeps = {
  withServices,
  actor: cliActor,
  stdout: (chunk) => new Promise<void>((resolve) => (process.stdout.write(chunk) ? resolve() : process.stdout.once('drain', resolve))),
};

/** Says plainly what a rewrite could still touch. */
export function uncheckpointedText(uncheckpointed: number): string {
  if (uncheckpointed === 0) return 'every event is covered by a signed checkpoint';
  const events = uncheckpointed === 1 ? '1 event is' : `${uncheckpointed} events are`;
  return `${events} after the last signed checkpoint: they could be rewritten without detection until the next checkpoint (run "nightcore audit checkpoint" to seal them now)`;
}

function writeTo(stream: WriteStream, chunk: string): Promise<void> {
  return new Promise((resolve, reject_) => stream.write(chunk, (e) => (e ? reject_(e) : resolve())));
}

export function createAuditCommands(deps: AuditCommandDeps = DEFAULT_DEPS) {
  const auditVerify: Command = {
    name: 'audit verify',
    summary: 'recompute the hash chain and check every signed checkpoint, each against a server key valid at its seq (recorded as audit.verified)',
    usage: 'nightcore audit verify [--former-key FILE.pub[@FROM..UNTIL] ...] [--json]',
    options: { 'former-key': { type: 'string', multiple: true } },
    optionHelp: {
      'former-key':
        'a former server public key to accept for the seq range given (FROM..UNTIL, either end may be left out; every seq without one), for keys the log\'s own history does not list (a key file replaced by hand); repeatable',
    },
    positionals: 0,
    run({ values, out }) {
      const formerKeys = ((values['former-key'] as string[] | undefined) ?? []).map((spec) => {
        const key = parseOperatorKey(spec, (file) => {
          try {
            const parsed = parsePublicKeyFile(readFileSync(file, 'utf8'));
            return parsed.ok ? parsed : { ok: false as const, message: parsed.message };
          } catch (e) {
            return { ok: false as const, message: (e as Error).message };
          }
        });
        if (!key.ok) throw new UsageError(key.message);
        return key.value;
      });
      return deps.withServices(values, async (s) => {
        const result = await verifyWithProgress(
          s.audit,
          deps.actor(),
          (line) => {
            if (line.type === 'progress') out.error(`checked ${line.events} of ${line.total} events`);
          },
          undefined,
          formerKeys,
        );
        if (!result.ok) {
          return reject(out, { code: result.code, message: `audit chain broken at seq ${result.seq}: ${result.message}` });
        }
        out.line(`audit chain intact: ${result.events} events, ${result.checkpoints} signed checkpoint(s) verified`);
        out.line(uncheckpointedText(result.uncheckpointed));
        if (!result.recorded) out.error('warning: the verification could not be recorded in the audit log');
        out.data({ ok: true, events: result.events, checkpoints: result.checkpoints, headSeq: result.headSeq, uncheckpointed: result.uncheckpointed, recorded: result.recorded });
        return EXIT_OK;
      });
    },
  };

  const auditCheckpoint: Command = {
    name: 'audit checkpoint',
    summary: 'sign a checkpoint at the current head now (seals every event written so far)',
    usage: 'nightcore audit checkpoint [--json]',
    options: {},
    optionHelp: {},
    positionals: 0,
    run({ values, out }) {
      return deps.withServices(values, (s) => {
        const cp = s.audit.checkpoint();
        if (!cp) return reject(out, { code: 'AUDIT_EMPTY', message: 'the audit log has no events to checkpoint' });
        out.line(`checkpoint at seq ${cp.seq} (hash ${cp.hash}) signed by server key ${cp.keyid.slice(0, 16)}`);
        out.data({ ok: true, seq: cp.seq, hash: cp.hash, time: cp.time, keyid: cp.keyid });
        return EXIT_OK;
      });
    },
  };

  const auditExport: Command = {
    name: 'audit export',
    summary: 'export the audit log as JSON Lines or CSV (recorded as audit.exported)',
    usage: 'nightcore audit export --format jsonl|csv [--out FILE]',
    options: { format: { type: 'string' }, out: { type: 'string' } },
    optionHelp: { format: 'jsonl or csv', out: 'file to write (default: standard output); never overwrites' },
    positionals: 0,
    async run({ values, out }) {
      const format = requireString(values, 'format');
      if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv');
      const file = optionalString(values, 'out');
      return deps.withServices(values, async (s) => {
        const request = { format, filter: {} } as const;
        let exported;
        if (file === undefined) {
          exported = await exportToSink(s.audit, request, deps.actor(), 'stdout', deps.stdout);
        } else {
          closeSync(openSync(file, 'wx', 0o600)); // refuse to overwrite an earlier export
          const stream = createWriteStream(file, { flags: 'w' });
          try {
            exported = await exportToSink(s.audit, request, deps.actor(), file, (chunk) => writeTo(stream, chunk));
          } finally {
            await new Promise<void>((resolve) => stream.end(resolve));
          }
        }
        if (!exported.ok) return reject(out, exported);
        if (file !== undefined) out.line(`exported ${exported.value.events} audit events to ${file}`);
        return EXIT_OK;
      });
    },
  };

  return { auditVerify, auditCheckpoint, auditExport };
}

export const { auditVerify, auditCheckpoint, auditExport } = createAuditCommands();
export const AUDIT_COMMANDS: readonly Command[] = [auditVerify, auditCheckpoint, auditExport, ...PROOF_COMMANDS];
