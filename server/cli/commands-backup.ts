/**
 * `backup --out F [--with-secrets]` and `restore F`: a consistent online backup while the console
 * serves, and a restore that checks everything before it replaces anything (server/services/backup.ts).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createBackup, restoreBackup } from '../services/backup';
import { resolveDataDir } from '../services/config';
import { optionalString, requireString, type Command } from './command';
import { EXIT_OK, cliActor, reject } from './io';
import { withServices } from './services';

export const backup: Command = {
  name: 'backup',
  summary: 'a consistent copy of the database while the console serves (0600; secrets only with --with-secrets)',
  usage: 'nightcore backup --out FILE [--with-secrets]',
  options: { out: { type: 'string' }, 'with-secrets': { type: 'boolean' } },
  optionHelp: {
    out: 'the backup file to create (never overwritten)',
    'with-secrets': "also carry the server's private key and the session secret (needed to restore onto a new machine); keep the file secret",
  },
  positionals: 0,
  async run({ values, out }) {
    const file = resolve(requireString(values, 'out'));
    if (existsSync(file)) return reject(out, { code: 'OUT_EXISTS', message: `${file} exists; a backup never overwrites a file` });
    const withSecrets = values['with-secrets'] === true;
    return withServices(values, async (s) => {
      s.audit.checkpoint(); // seal the head, so every event in the backup is covered by a signed checkpoint
      const report = await createBackup(s.handle.sqlite, s.handle.dataDir, s.serverKey, file, { withSecrets, now: new Date() });
      const { headSeq, schema } = report.statement;
      s.audit.append({ actor: cliActor(), action: 'data.backed_up', subject: 'database', payload: { file, withSecrets, headSeq, schema } });
      out.line(`backed up ${headSeq} events (schema ${schema}) to ${file} (${report.bytes} bytes, mode 0600)`);
      if (withSecrets) out.error(`warning: ${file} holds the server's private key and the session secret: keep it as secret as the data folder`);
      out.data({ ok: true, file, bytes: report.bytes, ...report.statement, secrets: Object.keys(report.statement.secrets) });
      return EXIT_OK;
    });
  },
};

export const restore: Command = {
  name: 'restore',
  summary: 'check a backup (chain, checkpoints, signature) and only then replace the database with it',
  usage: 'nightcore restore FILE   (stop the console first)',
  options: {},
  optionHelp: {},
  positionals: 1,
  async run({ values, positionals, out }) {
    const dataDir = resolveDataDir(optionalString(values, 'data'));
    const file = resolve(positionals[0]!);
    const restored = await restoreBackup(file, dataDir, new Date());
    if (!restored.ok) return reject(out, { code: restored.code, message: `${restored.message}; nothing was changed` });
    const r = restored.value;
    // Open as any command does (an older backup is upgraded now, with its own backup), then record and verify.
    return withServices(values, (s) => {
      s.audit.append({
        actor: cliActor(),
        action: 'data.restored',
        subject: 'database',
        payload: { file, headSeq: r.statement.headSeq, createdAt: r.statement.createdAt, keptAside: r.keptAside ?? null, secretsWritten: [...r.secretsWritten] },
      });
      const verified = s.audit.verify();
      if (!verified.ok) return reject(out, { code: verified.code, message: `restored, but the chain no longer verifies at seq ${verified.seq}: ${verified.message}` });
      out.line(`restored ${r.statement.headSeq} events from ${file} (made ${r.statement.createdAt}); checkpoints checked against ${r.keyFrom === 'this folder' ? "this folder's" : "the backup's own"} server key ${r.keyid.slice(0, 16)}`);
      if (r.keptAside) out.line(`the database that was in place is kept at ${r.keptAside}`);
      if (r.secretsWritten.length > 0) out.line(`wrote ${r.secretsWritten.join(', ')} from the backup`);
      out.line(`audit chain intact: ${verified.events} events, ${verified.checkpoints} signed checkpoint(s)`);
      out.data({ ok: true, file, events: verified.events, checkpoints: verified.checkpoints, keyFrom: r.keyFrom, keyid: r.keyid, keptAside: r.keptAside ?? null, secretsWritten: r.secretsWritten });
      return EXIT_OK;
    });
  },
};
