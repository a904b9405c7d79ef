/**
 * The HTTP transport of the execution-node protocol (server/core/sandbox/remote): the node's server
 * (`POST /v1/jobs`, `GET /v1/health`) and the console's client. The protocol's signatures carry all
 * the trust; HTTP only moves bytes (put TLS in front of a node that leaves the machine).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionNode, JobCode, NodeHealth, NodeTransport, SignedCancel, SignedJob } from '../core/sandbox/remote';

/** Module (up to the largest policy cap) and stdin, base64, with room for the statement. */
export const MAX_JOB_BYTES = 160 * 1024 * 1024;
const MAX_CANCEL_BYTES = 16 * 1024;

const STATUS: Readonly<Record<JobCode | 'BODY_TOO_LARGE' | 'NOT_JSON' | 'NOT_FOUND', number>> = {
  JOB_INVALID: 400,
  NOT_JSON: 400,
  JOB_UNTRUSTED: 403,
  JOB_SIGNATURE_INVALID: 403,
  JOB_WRONG_NODE: 421,
  JOB_EXPIRED: 410,
  JOB_REPLAYED: 409,
  JOB_MISMATCH: 422,
  MODULE_UNTRUSTED: 403,
  CANCEL_INVALID: 403,
  INSTRUMENT_FAILED: 422,
  BODY_TOO_LARGE: 413,
  NOT_FOUND: 404,
  BUSY: 503,
  SHUT_DOWN: 503,
};

/** Reads a body up to `limit` bytes, refusing while streaming (never buffering more than the limit). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return resolve('too large');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.destroy();
        resolve('too large');
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface NodeServer {
  readonly url: string;
  close(): Promise<void>;
}

export function startNodeServer(node: ExecutionNode, listen: { host: string; port: number }, maxBody = MAX_JOB_BYTES): Promise<NodeServer> {
  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const refuse = (code: keyof typeof STATUS, message: string) => reply(STATUS[code], { ok: false, code, message });
    try {
      if (req.method === 'GET' && req.url === '/v1/health') return reply(200, { ok: true, ...node.health() });
      if (req.method === 'POST' && req.url === '/v1/jobs/cancel') {
        const order = await readBody(req, MAX_CANCEL_BYTES);
        if (order === 'too large') return refuse('BODY_TOO_LARGE', `a cancel order is at most ${MAX_CANCEL_BYTES} bytes`);
        let parsed: SignedCancel;
        try {
          parsed = JSON.parse(order.toString('utf8')) as SignedCancel;
        } catch {
          return refuse('NOT_JSON', 'the body is not JSON');
        }
        const cancelled = node.cancel(parsed);
        return cancelled.ok ? reply(200, { ok: true, ...cancelled.value }) : refuse(cancelled.code, cancelled.message);
      }
      if (req.method !== 'POST' || req.url !== '/v1/jobs') return refuse('NOT_FOUND', 'POST /v1/jobs, POST /v1/jobs/cancel or GET /v1/health');
      const body = await readBody(req, maxBody);
      if (body === 'too large') return refuse('BODY_TOO_LARGE', `a job is at most ${maxBody} bytes`);
      let job: SignedJob;
      try {
        job = JSON.parse(body.toString('utf8')) as SignedJob;
      } catch {
        return refuse('NOT_JSON', 'the body is not JSON');
      }
      const result = await node.handle(job);
      if (!result.ok) return reply(STATUS[result.code], { ok: false, code: result.code, message: result.message, ...(result.refusal ? { refusal: result.refusal } : {}) });
      return reply(200, { ok: true, result: result.value });
    } catch (e) {
      if (!res.headersSent) reply(500, { ok: false, code: 'NODE_ERROR', message: 'the node failed to handle the job' });
      void e;
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${host}:${a.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** The console's side: one POST per job; a dropped connection rejects (the backend records `crashed`). */
export function httpNodeTransport(): NodeTransport {
  return {
    async submit(node, job, signal) {
      const res = await fetch(`${node.url}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(job),
        signal,
      });
      const body = (await res.json()) as { ok: boolean; result?: unknown; code?: string; message?: string; refusal?: unknown };
      if (res.ok && body.ok && body.result) return { ok: true, result: body.result as never };
      // The refusal's signature is checked by the backend, never trusted here.
      return {
        ok: false as const,
        status: res.status,
        code: String(body.code ?? 'NODE_ERROR'),
        message: String(body.message ?? `HTTP ${res.status}`),
        ...(body.refusal ? { refusal: body.refusal as never } : {}),
      };
    },
    async cancel(node, order) {
      const res = await fetch(`${node.url}/v1/jobs/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order), signal: AbortSignal.timeout(5_000) });
      const body = (await res.json()) as { ok?: boolean; stopped?: boolean };
      return res.ok && body.ok === true && body.stopped === true;
    },
    async health(node, signal) {
      const res = await fetch(`${node.url}/v1/health`, { signal });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return (await res.json()) as NodeHealth;
    },
  };
}
