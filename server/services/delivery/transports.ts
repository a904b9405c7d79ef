/**
 * The I/O half of each destination kind: the core formats records (server/core/delivery), these
 * send them. A transport resolves only when the destination accepted the whole batch.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { hostname } from 'node:os';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEvent } from '../../core/audit/event';
import { DeliveryError, type Transport } from '../../core/delivery/types';
import type { DestinationConfig, HecConfig, OcsfConfig, SyslogConfig, WebhookConfig } from '../../core/delivery/destination';
import { SIGNATURE_HEADER, signWebhook, webhookBody } from '../../core/delivery/webhook';
import { hecBody, hecEndpoint } from '../../core/delivery/hec';
import { syslogFrames } from '../../core/delivery/syslog';
import { ocsfRecord } from '../../core/delivery/ocsf';
import { parseHttpUrl, parseSyslogTarget } from '../../core/delivery/endpoint';
import { DELIVERY_TIMEOUT_MS, httpPost } from './http-post';

export interface TransportContext {
  readonly name: string;
  readonly secret: string | undefined;
  readonly host?: string;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** Events per batch, by kind: a webhook is one event per request, the others batch. */
export const BATCH_SIZE = { webhook: 1, syslog: 500, hec: 200, ocsf: 1000 } as const;

export function createTransport(spec: DestinationConfig, ctx: TransportContext): Transport {
  switch (spec.kind) {
    case 'webhook':
      return webhookTransport(spec.config, ctx);
    case 'hec':
      return hecTransport(spec.config, ctx);
    case 'syslog':
      return syslogTransport(spec.config, ctx);
    case 'ocsf':
      return ocsfTransport(spec.config, ctx);
  }
}

function webhookTransport(config: WebhookConfig, ctx: TransportContext): Transport {
  const url = mustUrl(config.url);
  const secret = ctx.secret;
  const now = ctx.now ?? Date.now;
  return {
    async send(events) {
      if (!secret) throw new DeliveryError('this webhook has no secret');
      let status = 0;
      for (const e of events) {
        const body = webhookBody(e);
        const res = await httpPost(url, {
          body,
          timeoutMs: ctx.timeoutMs,
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(now() / 1000)),
            'nightcore-event': e.action,
            'nightcore-seq': String(e.seq),
          },
        });
        status = res.status;
      }
      return { httpStatus: status };
    },
  };
}

function hecTransport(config: HecConfig, ctx: TransportContext): Transport {
  const url = hecEndpoint(mustUrl(config.url));
  const host = ctx.host ?? hostname();
  return {
    async send(events) {
      if (!ctx.secret) throw new DeliveryError('this HTTP sink has no token');
      const res = await httpPost(url, {
        body: hecBody(events, host),
        timeoutMs: ctx.timeoutMs,
        ca: config.caPem,
        headers: { 'content-type': 'application/json', authorization: `Splunk ${ctx.secret}` },
      });
      return { httpStatus: res.status };
    },
  };
}

/**
 * Syslog over TCP has no acknowledgement. A connection per batch gives the nearest thing: the
 * frames are written, our side closes, and the batch counts as delivered only when the receiver
 * closed its side cleanly too (it read to the end). A receiver that dies part-way resets the
 * connection, and the batch is sent again.
 */
function syslogTransport(config: SyslogConfig, ctx: TransportContext): Transport {
  const parsed = parseSyslogTarget(config.target);
  if (!parsed.ok) throw new Error(parsed.message);
  const target = parsed.value;
  const host = ctx.host ?? hostname();
  const timeoutMs = ctx.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  return {
    send(events) {
      const frames = syslogFrames(events, host);
      return new Promise((resolve, reject) => {
        let settled = false;
        const fail = (why: string) => {
          if (settled) return;
          settled = true;
          socket.destroy();
          reject(new DeliveryError(`${config.target}: ${why}`));
        };
        const socket: Socket = target.tls
          ? tlsConnect({ host: target.host, port: target.port, servername: isIp(target.host) ? undefined : target.host, ...(config.caPem ? { ca: config.caPem } : {}) })
          : tcpConnect({ host: target.host, port: target.port });
        const timer = setTimeout(() => fail(`not done within ${timeoutMs} ms`), timeoutMs);
        socket.on(target.tls ? 'secureConnect' : 'connect', () => {
          socket.end(frames);
        });
        socket.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
        socket.on('data', () => undefined); // a receiver may answer; what it says is not part of the protocol
        socket.on('close', (hadError) => {
          clearTimeout(timer);
          if (hadError) return fail('connection reset');
          if (!settled) {
            settled = true;
            resolve({});
          }
        });
      });
    },
  };
}

const isIp = (host: string) => /^[\d.]+$/.test(host) || host.includes(':');

/**
 * JSON Lines files rotated by size: `<name>.jsonl` is written; when the next record would make it
 * larger than maxBytes it becomes `<name>.1.jsonl`, the older ones shift up, and the one past `keep`
 * is deleted. Each batch is fsynced before it counts as delivered.
 */
function ocsfTransport(config: OcsfConfig, ctx: TransportContext): Transport {
  const host = ctx.host ?? hostname();
  const file = (i: number) => join(config.dir, i === 0 ? `${ctx.name}.jsonl` : `${ctx.name}.${i}.jsonl`);
  const rotate = async () => {
    await rm(file(config.keep), { force: true });
    for (let i = config.keep - 1; i >= 0; i--) await rename(file(i), file(i + 1)).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  };
  return {
    async send(events: readonly AuditEvent[]) {
      try {
        await mkdir(config.dir, { recursive: true });
        let size = await stat(file(0)).then((s) => s.size, () => 0);
        let pending: string[] = [];
        let pendingBytes = 0;
        const flush = async () => {
          if (pending.length === 0) return;
          const handle = await open(file(0), 'a', 0o640);
          try {
            await handle.write(pending.join(''));
            await handle.datasync();
          } finally {
            await handle.close();
          }
          size += pendingBytes;
          pending = [];
          pendingBytes = 0;
        };
        for (const e of events) {
          const line = ocsfRecord(e, host);
          const bytes = Buffer.byteLength(line);
          if (size + pendingBytes > 0 && size + pendingBytes + bytes > config.maxBytes) {
            await flush();
            await rotate();
            size = 0;
          }
          pending.push(line);
          pendingBytes += bytes;
        }
        await flush();
        return {};
      } catch (e) {
        if (e instanceof DeliveryError) throw e;
        const io = e as NodeJS.ErrnoException;
        throw new DeliveryError(`${io.syscall ?? 'write'} ${io.path ?? config.dir}: ${io.code ?? io.message}`);
      }
    },
  };
}

function mustUrl(raw: string): URL {
  const parsed = parseHttpUrl(raw);
  if (!parsed.ok) throw new Error(parsed.message); // validated when stored; a failure here is a bug
  return parsed.value;
}
