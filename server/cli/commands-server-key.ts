/**
 * `server-key rotate` and `server-key list`: replacing the key that signs checkpoints (and backups,
 * reports and remote jobs) while everything the former key signed stays verifiable for its period
 * (docs/operations.md, "Server key rotation"). `server-key --out` (commands-node.ts) exports it.
 */
import type { Command } from './command';
import { EXIT_OK, cliActor, reject } from './io';
import { withServices } from './services';
import { rotateServerKey } from '../services/server-key-rotation';
import { keyRows } from '../services/server-keys';
import { describePeriod } from '../core/audit/key-periods';
import { formatVerifierKey } from '../core/audit/signed-note';

export const serverKeyRotate: Command = {
  name: 'server-key rotate',
  summary: 'replace the server key: the new key signs from now on, the former one stays valid for what it signed (stop the console first)',
  usage: 'nightcore server-key rotate [--json]',
  options: {},
  optionHelp: {},
  positionals: 0,
  run({ values, out }) {
    return withServices(values, (s) => {
      let report;
      try {
        report = rotateServerKey(s.audit, s.handle.dataDir, cliActor(), new Date());
      } catch (e) {
        return reject(out, { code: 'ROTATION_FAILED', message: `the server key was not rotated, nothing changed: ${(e as Error).message}` });
      }
      out.line(`server key rotated at seq ${report.seq}: ${report.from.slice(0, 16)} signed up to seq ${report.seq - 1}, ${report.to.slice(0, 16)} signs from seq ${report.seq}`);
      out.line('both keys signed the handover; the former private key is gone, its public key and period are kept (nightcore server-key list)');
      out.line('next: give witnesses the new verifier key (nightcore audit key), execution nodes the new console key (nightcore server-key --out F), and take a new backup');
      out.data({ ok: true, ...report });
      return EXIT_OK;
    });
  },
};

export const serverKeyList: Command = {
  name: 'server-key list',
  summary: 'every server key of this log with the seq range it may sign and its verifier key (to check proofs it signed)',
  usage: 'nightcore server-key list [--json]',
  options: {},
  optionHelp: {},
  positionals: 0,
  run({ values, out }) {
    return withServices(values, (s) => {
      const rows = keyRows(s.handle.sqlite);
      // The verifier key names this log: what `audit check --key` needs for a proof or note the key signed.
      const verifierKey = (publicKey: Uint8Array) => formatVerifierKey({ name: s.audit.origin, publicKey });
      const keys = rows.length > 0
        ? rows.map((r) => ({ keyid: r.keyid, fromSeq: r.from_seq, untilSeq: r.until_seq, validFrom: r.valid_from, retiredAt: r.retired_at, current: r.until_seq === null, verifierKey: verifierKey(new Uint8Array(Buffer.from(r.public_key, 'base64'))) }))
        : [{ keyid: s.serverKey.keyid, fromSeq: 1, untilSeq: null, validFrom: null, retiredAt: null, current: true, verifierKey: verifierKey(s.serverKey.publicKey) }];
      for (const k of keys) {
        const when = k.retiredAt ? `, retired ${k.retiredAt}` : k.validFrom ? `, since ${k.validFrom}` : '';
        out.line(`${k.current ? '*' : ' '} ${k.keyid}  ${describePeriod(k)}${when}`);
        out.line(`    verifier key ${k.verifierKey}`);
      }
      out.data({ ok: true, keys });
      return EXIT_OK;
    });
  },
};

export const SERVER_KEY_COMMANDS: readonly Command[] = [serverKeyRotate, serverKeyList];
