/**
 * `nightcore witness`: runs a witness (a separate process, on another machine in production) that
 * cosigns a log's checkpoints only when they extend the last one it cosigned. `witness key` prints
 * its verifier key for the console's witnesses.json.
 */
import { readFileSync } from 'node:fs';
import { parsePrivateKeyFile } from '../core/crypto/keys';
import { signEd25519, verifyEd25519 } from '../core/crypto/ed25519';
import { formatVerifierKey, isKeyName, parseVerifierKey, type NoteKey } from '../core/audit/signed-note';
import { ALG_COSIGNATURE_V1 } from '../core/audit/witness';
import { startWitnessServer } from '../services/witness-server';
import type { Command, CommandContext } from './command';
import { requireString } from './command';
import { EXIT_OK, UsageError, reject } from './io';

function witnessIdentity(values: CommandContext['values']) {
  const name = requireString(values, 'name');
  if (!isKeyName(name)) throw new UsageError('--name must be non-empty, without spaces or "+"');
  const key = parsePrivateKeyFile(readFileSync(requireString(values, 'key'), 'utf8'));
  if (!key.ok) return key;
  const { seed, publicKey } = key.value;
  return { ok: true as const, value: { name, publicKey, sign: (message: Uint8Array) => signEd25519(seed, message) } };
}

export const witnessKey: Command = {
  name: 'witness key',
  summary: "print a witness's verifier key (list it in the console's witnesses.json)",
  usage: 'nightcore witness key --key FILE.key --name NAME',
  options: { key: { type: 'string' }, name: { type: 'string' } },
  optionHelp: { key: 'private key file from nightcore keygen', name: 'the witness name, e.g. witness.example.org' },
  positionals: 0,
  run({ values, out }) {
    const id = witnessIdentity(values);
    if (!id.ok) return reject(out, id);
    const vkey = formatVerifierKey({ name: id.value.name, publicKey: id.value.publicKey }, ALG_COSIGNATURE_V1);
    out.line(vkey);
    out.data({ ok: true, verifierKey: vkey });
    return EXIT_OK;
  },
};

export const witnessServe: Command = {
  name: 'witness',
  summary: 'run a witness that cosigns checkpoints only after checking a consistency proof',
  usage: 'nightcore witness --listen HOST:PORT --state FILE --key FILE.key --name NAME --log VKEY [--log VKEY ...]',
  options: { listen: { type: 'string' }, state: { type: 'string' }, key: { type: 'string' }, name: { type: 'string' }, log: { type: 'string', multiple: true } },
  optionHelp: {
    listen: 'address to listen on, e.g. 127.0.0.1:7001',
    state: 'file that remembers the newest cosigned checkpoint per log (keep it; losing it forgets history)',
    key: "the witness's private key file (nightcore keygen)",
    name: 'the witness name',
    log: 'verifier key of a log to witness ("nightcore audit key" on its server); repeatable',
  },
  positionals: 0,
  async run({ values, out }) {
    const listen = /^(.+):([0-9]{1,5})$/.exec(requireString(values, 'listen'));
    if (!listen || Number(listen[2]) > 65535) throw new UsageError('--listen must be HOST:PORT');
    const rawLogs = values.log;
    if (!Array.isArray(rawLogs) || rawLogs.length === 0) throw new UsageError('give at least one --log');
    const logs = new Map<string, NoteKey>();
    for (const raw of rawLogs) {
      const parsed = parseVerifierKey(String(raw));
      if (!parsed.ok) return reject(out, parsed);
      logs.set(parsed.value.name, parsed.value);
    }
    const id = witnessIdentity(values);
    if (!id.ok) return reject(out, id);
    const server = await startWitnessServer({ host: listen[1]!, port: Number(listen[2]), stateFile: requireString(values, 'state'), logs, identity: id.value, verify: verifyEd25519 });
    out.line(`witness ${id.value.name} listening on ${server.url} for ${[...logs.keys()].join(', ')}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return EXIT_OK;
  },
};

export const WITNESS_COMMANDS: readonly Command[] = [witnessKey, witnessServe];
