/**
 * `nightcore witness` as a process: the pure decision in core/audit/witness.ts behind an HTTP
 * endpoint (POST /add-checkpoint) and a state file. The state is written (temp file, fsync,
 * rename) BEFORE a cosignature leaves, and requests are handled one at a time, so a crash or two
 * concurrent requests can never make the witness forget a checkpoint it vouched for (which would
 * let a rolled-back log get a second cosignature).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { addCheckpoint, type WitnessIdentity, type WitnessState } from '../core/audit/witness';
import type { NoteKey } from '../core/audit/signed-note';
import type { Ed25519Verify } from '../core/audit/checkpoint';

export const WITNESS_STATE_FORMAT = 'nightcore.witness-state/v1';
const MAX_BODY_BYTES = 64 * 1024;

export interface WitnessOptions {
  readonly stateFile: string;
  readonly logs: ReadonlyMap<string, NoteKey>;
  readonly identity: WitnessIdentity;
  readonly verify: Ed25519Verify;
  readonly now?: () => Date;
}

export function loadWitnessState(file: string): WitnessState {
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; logs?: unknown };
  if (parsed.format !== WITNESS_STATE_FORMAT || parsed.logs === null || typeof parsed.logs !== 'object') {
    throw new Error(`${file} is not a ${WITNESS_STATE_FORMAT} file; refusing to start with an unknown state (that would forget what was cosigned)`);
  }
  return parsed.logs as WitnessState;
}

function saveWitnessState(file: string, state: WitnessState): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ format: WITNESS_STATE_FORMAT, logs: state }, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export interface WitnessReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** The endpoint without HTTP: one request body in, one reply out, state persisted in between. */
export function createWitness(options: WitnessOptions): { handle(path: string, method: string, body: string): WitnessReply } {
  let state = loadWitnessState(options.stateFile);
  const now = options.now ?? (() => new Date());
  return {
    handle(path, method, body) {
      if (path !== '/add-checkpoint') return { status: 404, contentType: 'text/plain', body: 'not found\n' };
      if (method !== 'POST') return { status: 405, contentType: 'text/plain', body: 'use POST\n' };
      const answer = addCheckpoint(state, body, options.logs, options.identity, options.verify, Math.floor(now().getTime() / 1000));
      if (answer.status === 200) {
        saveWitnessState(options.stateFile, answer.state); // first remember, then vouch
        state = answer.state;
        return { status: 200, contentType: 'text/x.tlog.cosignature', body: answer.cosignature };
      }
      if (answer.status === 409) return { status: 409, contentType: 'text/x.tlog.size', body: `${answer.size}\n` };
      return { status: answer.status, contentType: 'text/plain', body: `${answer.message}\n` };
    },
  };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Listens on host:port; the witness is synchronous, so requests are naturally handled one at a time. */
export async function startWitnessServer(options: WitnessOptions & { host: string; port: number }): Promise<{ url: string; close(): Promise<void> }> {
  const witness = createWitness(options);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    readBody(req).then(
      (body) => {
        const reply = body === undefined ? { status: 413, contentType: 'text/plain', body: 'request too large\n' } : witness.handle(new URL(req.url ?? '/', 'http://witness').pathname, req.method ?? 'GET', body);
        res.writeHead(reply.status, { 'content-type': reply.contentType, 'cache-control': 'no-store' }).end(reply.body);
      },
      () => res.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${options.host}:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
