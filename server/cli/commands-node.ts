/**
 * `nightcore node` runs an execution node for the remote backend; `nightcore server-key` exports the
 * public key of this data folder's server key (which signs checkpoints and jobs), for nodes to trust.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { signEd25519, verifyEd25519 } from '../core/crypto/ed25519';
import { encodePublicKeyFile, keyIdOf, parsePrivateKeyFile, parsePublicKeyFile } from '../core/crypto/keys';
import { createWorkerThreadsBackend } from '../core/sandbox/worker-threads';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';
import { createProcessBackend, sandboxDirOf } from '../core/sandbox/process';
import { createExecutionNode } from '../core/sandbox/remote';
import { startNodeServer } from '../services/node-http';
import { ok } from '../core/result';
import type { TrustedKey } from '../core/module/types';
import type { Command } from './command';
import { optionalString, requireString } from './command';
import { EXIT_OK, EXIT_REJECTED, UsageError } from './io';
import { withServices } from './services';

function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[0-9a-f:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UsageError('--listen takes HOST:PORT, for example 127.0.0.1:7700');
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

export const node: Command = {
  name: 'node',
  summary: 'run an execution node: take console-signed jobs, run them here, sign the results',
  usage: 'nightcore node --listen HOST:PORT --key NODE.key --console-key CONSOLE.pub --publisher-key PUBLISHER.pub [--backend worker-threads|process] [--size N]',
  options: {
    listen: { type: 'string' },
    key: { type: 'string' },
    'console-key': { type: 'string', multiple: true },
    'publisher-key': { type: 'string', multiple: true },
    backend: { type: 'string' },
    size: { type: 'string' },
  },
  optionHelp: {
    listen: 'address to listen on (use TLS in front of a node reached over a network)',
    key: "this node's private key (nightcore keygen; register its .pub in the console with --role node)",
    'console-key': 'public key of a console whose jobs this node takes (nightcore server-key --out F on the console); repeatable',
    'publisher-key': "this node's own trust store: public key of a publisher whose signed modules it runs (every module is verified again here); repeatable",
    backend: 'local backend that runs the jobs (default process: jailed)',
    size: 'runs at once (default 2)',
  },
  positionals: 0,
  async run({ values, out }) {
    const listen = parseListen(requireString(values, 'listen'));
    const keyPath = requireString(values, 'key');
    if ((statSync(keyPath).mode & 0o077) !== 0) throw new UsageError(`${keyPath} is readable by others: chmod 600 it`);
    const key = parsePrivateKeyFile(readFileSync(keyPath, 'utf8'));
    if (!key.ok) throw new UsageError(`${keyPath}: ${key.message}`);
    const consoleFiles = (values['console-key'] as string[] | undefined) ?? [];
    if (consoleFiles.length === 0) throw new UsageError('--console-key is required: a node takes jobs only from consoles it trusts');
    const consoles = new Map<string, Uint8Array>();
    for (const f of consoleFiles) {
      const pub = parsePublicKeyFile(readFileSync(f, 'utf8'));
      if (!pub.ok) throw new UsageError(`${f}: ${pub.message}`);
      consoles.set(keyIdOf(pub.value), pub.value);
    }
    const publisherFiles = (values['publisher-key'] as string[] | undefined) ?? [];
    if (publisherFiles.length === 0) throw new UsageError('--publisher-key is required: a node runs only modules signed by a publisher it trusts itself');
    const publishers = new Map<string, TrustedKey>();
    for (const f of publisherFiles) {
      const pub = parsePublicKeyFile(readFileSync(f, 'utf8'));
      if (!pub.ok) throw new UsageError(`${f}: ${pub.message}`);
      const keyid = keyIdOf(pub.value);
      publishers.set(keyid, { keyid, name: f, role: 'publisher', publicKey: pub.value, status: 'active', revokedAt: null });
    }
    const size = Number(optionalString(values, 'size') ?? 2);
    if (!Number.isSafeInteger(size) || size < 1 || size > 256) throw new UsageError('--size must be a whole number from 1 to 256');
    const kind = optionalString(values, 'backend') ?? 'process';
    if (kind !== 'process' && kind !== 'worker-threads') throw new UsageError('--backend must be process or worker-threads');
    const made =
      kind === 'worker-threads'
        ? ok(createWorkerThreadsBackend({ size, workerUrl: DEFAULT_WORKER_URL, prespawn: true }))
        : createProcessBackend({ size, sandboxDir: sandboxDirOf(DEFAULT_WORKER_URL), node: process.execPath, prespawn: true });
    if (!made.ok) {
      out.error(`${made.code}: ${made.message}`);
      return EXIT_REJECTED;
    }
    const local = made.value;
    const executionNode = createExecutionNode({
      seed: key.value.seed,
      publicKey: key.value.publicKey,
      consoles: (id) => consoles.get(id),
      publishers: (id) => publishers.get(id),
      backend: local,
      clock: () => new Date(),
      sign: signEd25519,
      verify: verifyEd25519,
    });
    const server = await startNodeServer(executionNode, listen);
    out.line(`node ${executionNode.keyid} listening on ${server.url} (${local.kind} backend, ${size} at once; consoles: ${[...consoles.keys()].map((k) => k.slice(0, 16)).join(', ')}; publishers: ${[...publishers.keys()].map((k) => k.slice(0, 16)).join(', ')})`);
    out.data({ ok: true, keyid: executionNode.keyid, url: server.url, backend: local.kind, size });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    await local.close();
    return EXIT_OK;
  },
};

export const serverKey: Command = {
  name: 'server-key',
  summary: "export this data folder's server public key (it signs checkpoints and remote jobs)",
  usage: 'nightcore server-key --out FILE.pub',
  options: { out: { type: 'string' } },
  optionHelp: { out: 'new file for the public key (never overwritten)' },
  positionals: 0,
  run({ values, out }) {
    const file = requireString(values, 'out');
    return withServices(values, (s) => {
      writeFileSync(file, encodePublicKeyFile(s.serverKey.publicKey), { mode: 0o644, flag: 'wx' });
      out.line(`server key ${s.serverKey.keyid} written to ${file}`);
      out.data({ ok: true, keyid: s.serverKey.keyid, publicKey: file });
      return EXIT_OK;
    });
  },
};
