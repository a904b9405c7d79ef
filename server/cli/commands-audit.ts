/** `audit verify` and `audit export`: checking and carrying out the tamper-evident log. */
import { createWriteStream, openSync, closeSync } from 'node:fs';
import type { Command } from './command';
import { optionalString, requireString } from './command';
import { EXIT_OK, UsageError, cliActor, reject } from './io';
import { withServices } from './services';

export const auditVerify: Command = {
  name: 'audit verify',
  summary: 'recompute the hash chain and check every signed checkpoint',
  usage: 'nightcore audit verify [--json]',
  options: {},
  optionHelp: {},
  positionals: 0,
  run({ values, out }) {
    return withServices(values, (s) => {
      const report = s.audit.verify();
      if (!report.ok) {
        return reject(out, { code: report.code, message: `audit chain broken at seq ${report.seq}: ${report.message}` });
      }
      out.line(`audit chain intact: ${report.events} events, ${report.checkpoints} signed checkpoint(s) verified`);
      out.data({ ok: true, events: report.events, checkpoints: report.checkpoints });
      return EXIT_OK;
    });
  },
};

export const auditExport: Command = {
  name: 'audit export',
  summary: 'export the audit log as JSON Lines or CSV',
  usage: 'nightcore audit export --format jsonl|csv [--out FILE]',
  options: { format: { type: 'string' }, out: { type: 'string' } },
  optionHelp: { format: 'jsonl or csv', out: 'file to write (default: standard output); never overwrites' },
  positionals: 0,
  async run({ values, out }) {
    const format = requireString(values, 'format');
    if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv');
    const file = optionalString(values, 'out');
    return withServices(values, async (s) => {
      let exported;
      if (file === undefined) {
        exported = s.audit.exportTo(format, (chunk) => process.stdout.write(chunk));
      } else {
        closeSync(openSync(file, 'wx', 0o600)); // refuse to overwrite an earlier export
        const stream = createWriteStream(file, { flags: 'w' });
        exported = s.audit.exportTo(format, (chunk) => stream.write(chunk));
        await new Promise<void>((resolve, reject_) => stream.end((e?: Error | null) => (e ? reject_(e) : resolve())));
      }
      if (!exported.ok) return reject(out, exported);
      s.audit.append({ actor: cliActor(), action: 'audit.exported', subject: 'audit', payload: { format, to: file ?? 'stdout', events: exported.value.events } });
      if (file !== undefined) out.line(`exported ${exported.value.events} audit events to ${file}`);
      return EXIT_OK;
    });
  },
};

