import { afterEach, describe, expect, it } from 'vitest';
import { createDeliveryCommands } from './commands-delivery';
import { parseCommandArgs, type Command } from './command';
import { UsageError, type Out } from './io';
import { memoryServices } from '../api/test-support';
import { DeliveryService } from '../services/delivery/service';
import type { Services } from '../services/index';
import { HttpReceiver } from '../services/delivery/test-receivers';
import { verifyWebhook } from '../core/delivery/webhook';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function harness(stdin = '') {
  const { services: base, handle } = memoryServices();
  const delivery = new DeliveryService(handle.sqlite, base.audit, () => new Date(), { host: 'cli-test' });
  cleanups.push(() => handle.close(), () => delivery.close());
  const services = { handle, audit: base.audit, delivery } as unknown as Services;
  const commands = createDeliveryCommands({ withServices: async (_v, fn) => fn(services), readStdin: async () => stdin, actor: () => 'cli:tester' });
  const lines: string[] = [];
  const errors: string[] = [];
  const data: unknown[] = [];
  const out: Out = { json: false, line: (t) => lines.push(t), error: (t) => errors.push(t), data: (v) => data.push(v), dataStreamed: async (v) => void data.push(v) };
  const run = async (command: Command, argv: string[]) => {
    const parsed = parseCommandArgs(command, argv);
    return command.run({ values: parsed.values, positionals: parsed.positionals, out });
  };
  return { commands, run, lines, errors, data, services, audit: base.audit, delivery };
}

describe('webhooks and sinks commands', () => {
  it('webhooks add prints the secret once; list, status and deliveries never show it; sinks deliver delivers', async () => {
    const receiver = await new HttpReceiver().start();
    cleanups.push(() => receiver.stop());
    const h = harness();
    expect(await h.run(h.commands.webhooksAdd, ['ops', '--url', `${receiver.url}/in`, '--events', 'quarantines,releases'])).toBe(0);
    const secret = h.lines.join('\n').match(/shown only this once\): (whsec_\S+)/)?.[1];
    expect(secret).toBeDefined();
    h.audit.append({ actor: 'user:a', action: 'module.released', subject: 'module:x', payload: {} });
    expect(JSON.stringify(h.data)).toContain(secret!); // --json gets it once too
    h.lines.length = 0;
    h.data.length = 0;
    expect(await h.run(h.commands.webhooksList, [])).toBe(0);
    expect(await h.run(h.commands.sinksStatus, [])).toBe(0);
    expect(h.lines.join('\n')).toMatch(/ops\s+webhook behind/);
    expect(await h.run(h.commands.sinksDeliver, [])).toBe(0);
    expect(await h.run(h.commands.webhooksDeliveries, ['ops'])).toBe(0);
    const printed = h.lines.join('\n') + JSON.stringify(h.data);
    expect(printed).not.toContain(secret!);
    expect(printed).toMatch(/ok\s+seq \d+/);
    expect(receiver.requests).toHaveLength(1);
    expect(verifyWebhook(secret!, receiver.requests[0]!.body, receiver.requests[0]!.headers['nightcore-signature'] as string, Math.floor(Date.now() / 1000)).ok).toBe(true);
    expect(await h.run(h.commands.webhooksEdit, ['ops', '--events', 'runs'])).toBe(0);
    expect(h.delivery.store.get('ops')?.spec.config).toEqual({ url: `${receiver.url}/in`, events: ['runs'] });
    expect(await h.run(h.commands.webhooksEdit, ['ops', '--url', 'gopher://x/'])).toBe(1);
    expect(h.errors.join('\n')).toMatch(/INVALID_DESTINATION/);
    expect(h.delivery.store.secretOf(h.delivery.store.get('ops')!.id)).toBe(secret); // the secret stays
    expect(await h.run(h.commands.webhooksDisable, ['ops'])).toBe(0);
    expect(h.delivery.store.get('ops')?.enabled).toBe(false);
  });

  it('refuses bad input with its code (exit 1) or as a usage error (exit 2)', async () => {
    const h = harness('  token-from-stdin\n');
    expect(await h.run(h.commands.webhooksAdd, ['x', '--url', 'file:///etc/passwd', '--events', 'runs'])).toBe(1);
    expect(h.errors.join('\n')).toMatch(/INVALID_DESTINATION.*only http and https/);
    expect(await h.run(h.commands.webhooksAdd, ['x', '--url', 'https://h/', '--events', 'everything'])).toBe(1);
    await expect(h.run(h.commands.sinksAdd, ['s', '--kind', 'hec', '--url', 'https://h/'])).rejects.toThrow(UsageError);
    await expect(h.run(h.commands.sinksAdd, ['s', '--kind', 'kafka'])).rejects.toThrow(UsageError);
    expect(await h.run(h.commands.sinksAdd, ['s', '--kind', 'hec', '--url', 'https://h/', '--token-stdin'])).toBe(0);
    expect(h.lines.join('\n') + JSON.stringify(h.data)).not.toContain('token-from-stdin');
    expect(h.delivery.store.secretOf(h.delivery.store.get('s')!.id)).toBe('token-from-stdin');
    expect(await h.run(h.commands.webhooksDisable, ['s'])).toBe(1); // a sink is not a webhook
    expect(await h.run(h.commands.sinksDisable, ['s'])).toBe(0);
    expect(await h.run(h.commands.sinksDeliveries, ['nope'])).toBe(1);
  });
});
