/**
 * `webhooks add|edit|list|enable|disable|deliveries` and `sinks add|list|status|enable|disable|deliver`:
 * outbound delivery of audit events (docs/delivery.md). Destinations live in the database; the
 * console's background loop delivers. `sinks deliver` delivers from this shell until caught up
 * (installations without a console, or to check a destination by hand).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Services } from '../services/index';
import type { Destination } from '../services/delivery/store';
import type { DestinationStatus } from '../services/delivery/service';
import { WEBHOOK_CATEGORY_NAMES } from '../core/delivery/event-filter';
import type { DestinationKind } from '../core/delivery/types';
import type { Command, CommandContext } from './command';
import { optionalString, requireString } from './command';
import { EXIT_OK, EXIT_REJECTED, UsageError, cliActor, readAllStdin, reject } from './io';
import { withServices } from './services';

export interface DeliveryCommandDeps {
  readonly withServices: <T>(values: CommandContext['values'], fn: (s: Services) => T | Promise<T>) => Promise<T>;
  readonly readStdin: () => Promise<string>;
  readonly actor: () => string;
}

const DEFAULT_DEPS: DeliveryCommandDeps = { withServices, readStdin: readAllStdin, actor: cliActor };

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

function intOption(values: CommandContext['values'], name: string, fallback: number): number {
  const raw = optionalString(values, name);
  if (raw === undefined) return fallback;
  if (!/^\d{1,15}$/.test(raw)) throw new UsageError(`--${name} must be a whole number`);
  return Number(raw);
}

const destinationJson = (d: Destination) => ({
  id: d.id, name: d.name, kind: d.kind, target: d.target, enabled: d.enabled, cursor: d.cursor,
  events: d.spec.kind === 'webhook' ? d.spec.config.events : null, createdBy: d.createdBy, createdAt: iso(d.createdAt),
});

const statusLine = (s: DestinationStatus) =>
  `${s.name.padEnd(20)} ${s.kind.padEnd(7)} ${s.state.padEnd(10)} lag ${String(s.lagEvents).padStart(6)} events / ${String(s.lagSeconds).padStart(5)} s  ` +
  `delivered to seq ${s.cursor} of ${s.headSeq}  last success ${iso(s.lastSuccessAt)}${s.lastError ? `  last error ${iso(s.lastErrorAt)}: ${s.lastError}` : ''}`;

export function createDeliveryCommands(deps: DeliveryCommandDeps = DEFAULT_DEPS) {
  const toggle = (group: 'webhooks' | 'sinks', enabled: boolean): Command => ({
    name: `${group} ${enabled ? 'enable' : 'disable'}`,
    summary: `${enabled ? 'resume' : 'stop'} delivery to a ${group === 'webhooks' ? 'webhook' : 'sink'} (its cursor is kept)`,
    usage: `nightcore ${group} ${enabled ? 'enable' : 'disable'} <name>`,
    options: {},
    optionHelp: {},
    positionals: 1,
    run: ({ values, positionals, out }) =>
      deps.withServices(values, (s) => {
        const current = s.delivery.store.get(positionals[0]!);
        if (current && (current.kind === 'webhook') !== (group === 'webhooks')) {
          return reject(out, { code: 'NOT_FOUND', message: `"${positionals[0]}" is not one of the ${group} (nightcore ${group} list)` });
        }
        const changed = s.delivery.setEnabled(positionals[0]!, enabled, deps.actor());
        if (!changed.ok) return reject(out, changed);
        out.line(`${changed.value.name}: ${enabled ? 'enabled' : 'disabled'}`);
        out.data({ ok: true, destination: destinationJson(changed.value) });
        return EXIT_OK;
      }),
  });

  const deliveries = (group: 'webhooks' | 'sinks'): Command => ({
    name: `${group} deliveries`,
    summary: 'the delivery log of one destination, newest first (attempts, status, error, latency)',
    usage: `nightcore ${group} deliveries <name> [--limit N]`,
    options: { limit: { type: 'string' } },
    optionHelp: { limit: 'attempts to show (default 20, at most 500)' },
    positionals: 1,
    run: ({ values, positionals, out }) =>
      deps.withServices(values, (s) => {
        const log = s.delivery.attempts(positionals[0]!, intOption(values, 'limit', 20));
        if (!log.ok) return reject(out, log);
        out.data({ ok: true, attempts: log.value.map((a) => ({ ...a, at: iso(a.at) })) });
        if (log.value.length === 0) out.line('no attempts yet');
        for (const a of log.value) {
          const seqs = a.firstSeq === a.lastSeq ? `seq ${a.firstSeq}` : `seq ${a.firstSeq}-${a.lastSeq}`;
          out.line(`${iso(a.at)}  ${a.ok ? 'ok    ' : 'FAILED'}  ${seqs.padEnd(16)} try ${a.attempt}  ${String(a.latencyMs).padStart(5)} ms${a.httpStatus ? `  HTTP ${a.httpStatus}` : ''}${a.error ? `  ${a.error}` : ''}`);
        }
        return EXIT_OK;
      }),
  });

  const webhooksAdd: Command = {
    name: 'webhooks add',
    summary: 'send chosen events to an http(s) URL, HMAC-signed; prints the signing secret once',
    usage: `nightcore webhooks add <name> --url URL --events ${WEBHOOK_CATEGORY_NAMES.join(',')} [--from-start]`,
    options: { url: { type: 'string' }, events: { type: 'string' }, 'from-start': { type: 'boolean' } },
    optionHelp: {
      url: 'http(s) URL of the receiver (no credentials in it; redirects are not followed)',
      events: `comma-separated: ${WEBHOOK_CATEGORY_NAMES.join(', ')}`,
      'from-start': 'also deliver the matching events already in the log (default: from now on)',
    },
    positionals: 1,
    run: ({ values, positionals, out }) => {
      const url = requireString(values, 'url');
      const events = requireString(values, 'events').split(',').map((e) => e.trim()).filter(Boolean);
      return deps.withServices(values, (s) => {
        const created = s.delivery.create({ name: positionals[0]!, kind: 'webhook', config: { url, events }, fromStart: values['from-start'] === true }, deps.actor());
        if (!created.ok) return reject(out, created);
        out.line(`created webhook ${created.value.destination.name} → ${created.value.destination.target}`);
        out.line(`signing secret (shown only this once): ${created.value.secret}`);
        out.line('receivers verify the Nightcore-Signature header with it (docs/webhooks.md)');
        out.data({ ok: true, destination: destinationJson(created.value.destination), secret: created.value.secret });
        return EXIT_OK;
      });
    },
  };

  const webhooksEdit: Command = {
    name: 'webhooks edit',
    summary: 'change a webhook\'s URL or events (its secret and cursor stay)',
    usage: `nightcore webhooks edit <name> [--url URL] [--events ${WEBHOOK_CATEGORY_NAMES.join(',')}]`,
    options: { url: { type: 'string' }, events: { type: 'string' } },
    optionHelp: { url: 'the new http(s) URL', events: `the new comma-separated list: ${WEBHOOK_CATEGORY_NAMES.join(', ')}` },
    positionals: 1,
    run: ({ values, positionals, out }) => {
      const url = optionalString(values, 'url');
      const events = optionalString(values, 'events')?.split(',').map((e) => e.trim()).filter(Boolean);
      if (url === undefined && events === undefined) throw new UsageError('give --url, --events or both');
      return deps.withServices(values, (s) => {
        const current = s.delivery.store.get(positionals[0]!);
        if (!current || current.spec.kind !== 'webhook') return reject(out, { code: 'NOT_FOUND', message: `no webhook "${positionals[0]}" (nightcore webhooks list)` });
        const changed = s.delivery.update(current.id, { url: url ?? current.spec.config.url, events: events ?? current.spec.config.events }, deps.actor());
        if (!changed.ok) return reject(out, changed);
        out.line(`${changed.value.name} → ${changed.value.target}`);
        out.data({ ok: true, destination: destinationJson(changed.value) });
        return EXIT_OK;
      });
    },
  };

  const list = (group: 'webhooks' | 'sinks'): Command => ({
    name: `${group} list`,
    summary: `list ${group === 'webhooks' ? 'webhooks' : 'SIEM sinks (syslog, HTTP event collector, OCSF files)'}`,
    usage: `nightcore ${group} list [--json]`,
    options: {},
    optionHelp: {},
    positionals: 0,
    run: ({ values, out }) =>
      deps.withServices(values, (s) => {
        const all = s.delivery.list(group === 'webhooks' ? 'webhook' : 'siem');
        out.data({ ok: true, destinations: all.map(destinationJson) });
        if (all.length === 0) out.line(`none yet (nightcore ${group} add --help)`);
        for (const d of all) {
          const events = d.spec.kind === 'webhook' ? `  [${d.spec.config.events.join(',')}]` : '';
          out.line(`${d.name.padEnd(20)} ${d.kind.padEnd(7)} ${d.enabled ? 'enabled ' : 'disabled'}  ${d.target}${events}`);
        }
        return EXIT_OK;
      }),
  });

  const sinksAdd: Command = {
    name: 'sinks add',
    summary: 'export every audit event to a SIEM: syslog (TCP/TLS), an HTTP event collector, or OCSF JSON Lines files',
    usage:
      'nightcore sinks add <name> --kind syslog --target tcp://host:port|tls://host:port [--ca FILE]\n' +
      '       nightcore sinks add <name> --kind hec --url URL --token-stdin [--ca FILE]\n' +
      '       nightcore sinks add <name> --kind ocsf --dir DIR [--max-bytes N] [--keep N]\n' +
      '       (each with [--from-start] to export the log from its first event)',
    options: {
      kind: { type: 'string' }, target: { type: 'string' }, ca: { type: 'string' }, url: { type: 'string' }, 'token-stdin': { type: 'boolean' },
      dir: { type: 'string' }, 'max-bytes': { type: 'string' }, keep: { type: 'string' }, 'from-start': { type: 'boolean' },
    },
    optionHelp: {
      kind: 'syslog, hec or ocsf',
      target: 'syslog: tcp://host:port or tls://host:port',
      ca: 'PEM file of the CA the server certificate must chain to (tls syslog, https collector); default: the system CAs',
      url: 'hec: the collector base URL (…/services/collector/event is added)',
      'token-stdin': 'hec: read the collector token from standard input (never from an argument)',
      dir: 'ocsf: absolute folder for <name>.jsonl and its rotations',
      'max-bytes': 'ocsf: rotate when a file would exceed this (default 104857600)',
      keep: 'ocsf: rotated files kept (default 10)',
      'from-start': 'export the whole log from seq 1 (default: from now on)',
    },
    positionals: 1,
    async run({ values, positionals, out }) {
      const kind = requireString(values, 'kind');
      if (kind !== 'syslog' && kind !== 'hec' && kind !== 'ocsf') throw new UsageError('--kind must be syslog, hec or ocsf');
      const caFile = optionalString(values, 'ca');
      const caPem = caFile ? readFileSync(caFile, 'utf8') : undefined;
      let config: unknown;
      let token: string | undefined;
      if (kind === 'syslog') config = { target: requireString(values, 'target'), ...(caPem ? { caPem } : {}) };
      else if (kind === 'hec') {
        if (values['token-stdin'] !== true) throw new UsageError('--token-stdin is required: pipe the collector token in');
        token = (await deps.readStdin()).trim();
        config = { url: requireString(values, 'url'), ...(caPem ? { caPem } : {}) };
      } else {
        config = { dir: resolve(requireString(values, 'dir')), maxBytes: intOption(values, 'max-bytes', 100 * 1024 * 1024), keep: intOption(values, 'keep', 10) };
      }
      return deps.withServices(values, (s) => {
        const created = s.delivery.create({ name: positionals[0]!, kind: kind as DestinationKind, config, token, fromStart: values['from-start'] === true }, deps.actor());
        if (!created.ok) return reject(out, created);
        out.line(`created ${kind} sink ${created.value.destination.name} → ${created.value.destination.target}`);
        out.data({ ok: true, destination: destinationJson(created.value.destination) });
        return EXIT_OK;
      });
    },
  };

  const sinksStatus: Command = {
    name: 'sinks status',
    summary: 'every destination (webhooks and sinks): state, lag in events and seconds, last success and error',
    usage: 'nightcore sinks status [--json]',
    options: {},
    optionHelp: {},
    positionals: 0,
    run: ({ values, out }) =>
      deps.withServices(values, (s) => {
        const status = s.delivery.status();
        out.data({ ok: true, destinations: status });
        if (status.length === 0) out.line('no destinations (nightcore webhooks add --help, nightcore sinks add --help)');
        for (const d of status) out.line(statusLine(d));
        return EXIT_OK;
      }),
  };

  const sinksDeliver: Command = {
    name: 'sinks deliver',
    summary: 'deliver from this shell until every destination is caught up or failing (the console does this continuously)',
    usage: 'nightcore sinks deliver [--json]',
    options: {},
    optionHelp: {},
    positionals: 0,
    run: ({ values, out }) =>
      deps.withServices(values, async (s) => {
        await s.delivery.drain();
        const status = s.delivery.status();
        out.data({ ok: status.every((d) => d.state !== 'failing'), destinations: status });
        for (const d of status) out.line(statusLine(d));
        return status.some((d) => d.state === 'failing') ? EXIT_REJECTED : EXIT_OK;
      }),
  };

  return {
    webhooksAdd, webhooksEdit, webhooksList: list('webhooks'), webhooksEnable: toggle('webhooks', true), webhooksDisable: toggle('webhooks', false), webhooksDeliveries: deliveries('webhooks'),
    sinksAdd, sinksList: list('sinks'), sinksStatus, sinksEnable: toggle('sinks', true), sinksDisable: toggle('sinks', false), sinksDeliveries: deliveries('sinks'), sinksDeliver,
  };
}

export const DELIVERY_COMMANDS: readonly Command[] = Object.values(createDeliveryCommands());
