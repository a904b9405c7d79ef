/**
 * Test support (not shipped behaviour): loopback receivers for the delivery tests and the bench,
 * and a console side (database + audit log + delivery) that can be closed and reopened on the same
 * data folder to play a restart.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { openDatabase, type DbHandle } from '../../../db/client';
import { AuditLog } from '../audit-log';
import { loadOrCreateServerKey } from '../server-key';
import { DeliveryService, type DeliveryOptions } from './service';

export interface ConsoleSide {
  readonly handle: DbHandle;
  readonly audit: AuditLog;
  readonly delivery: DeliveryService;
  close(): Promise<void>;
}

export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'nightcore-delivery-'));
}

export function openConsoleSide(dataDir: string, options: DeliveryOptions = {}): ConsoleSide {
  const handle = openDatabase(dataDir);
  const audit = new AuditLog(handle.sqlite, { serverKey: loadOrCreateServerKey(dataDir) });
  const delivery = new DeliveryService(handle.sqlite, audit, () => new Date(), { backoff: { baseMs: 5, maxMs: 40 }, timeoutMs: 2_000, host: 'test-host', ...options });
  return {
    handle, audit, delivery,
    close: async () => {
      await delivery.close();
      handle.close();
    },
  };
}

export interface HttpRequestSeen {
  readonly headers: IncomingMessage['headers'];
  readonly url: string;
  readonly body: string;
}

/**
 * An HTTP receiver on 127.0.0.1. `answer` decides the status for each request; it sees the
 * request first, so a test can record a body and still answer 500 (a lost acknowledgement).
 */
export class HttpReceiver {
  readonly requests: HttpRequestSeen[] = [];
  answer: (req: HttpRequestSeen) => number = () => 200;
  private server: Server | undefined;
  port = 0;

  async start(port = this.port): Promise<this> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const seen = { headers: req.headers, url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') };
        this.requests.push(seen);
        const status = this.answer(seen);
        if (status === 0) return; // never answer (timeout tests)
        res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:1/elsewhere' } : {});
        res.end(status === 200 ? '{"text":"Success","code":0}' : 'no');
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * A syslog receiver over TCP or TLS keeping each connection's raw bytes; the test parses them
 * with its own octet-counting parser. It closes its side when the sender closes (reads to EOF).
 */
export class SyslogReceiver {
  readonly streams: Buffer[] = [];
  readonly tlsErrors: string[] = [];
  private server: TcpServer | undefined;
  port = 0;

  constructor(private readonly tls?: { key: string; cert: string }) {}

  async start(): Promise<this> {
    const onSocket = (socket: Socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('end', () => {
        this.streams.push(Buffer.concat(chunks));
        socket.end();
      });
      socket.on('error', () => undefined);
    };
    this.server = this.tls ? createTlsServer({ key: this.tls.key, cert: this.tls.cert }, onSocket) : createTcpServer(onSocket);
    this.server.on('tlsClientError', (e: Error) => this.tlsErrors.push(e.message));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Ticks until every enabled destination is caught up (failures back off and retry meanwhile). */
export async function deliverUntilCaughtUp(delivery: DeliveryService, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await delivery.tick();
    const left = delivery.status().filter((s) => s.enabled && s.state !== 'caught_up');
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`not caught up: ${JSON.stringify(left)}`);
    await sleep(5);
  }
}
