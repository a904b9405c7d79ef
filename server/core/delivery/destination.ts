/**
 * A destination's configuration, validated in one place for the CLI and the console alike. Every
 * bad field is reported (not just the first). Secrets (the webhook's HMAC secret, the HEC token)
 * are not part of the configuration: they are kept apart so listings never carry them.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../result';
import { parseHttpUrl, parseSyslogTarget } from './endpoint';
import { WEBHOOK_CATEGORY_NAMES, type WebhookCategory } from './event-filter';
import type { DestinationKind } from './types';

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MAX_CA_BYTES = 64 * 1024;
export const OCSF_MIN_FILE_BYTES = 4 * 1024;
export const OCSF_MAX_FILE_BYTES = 4 * 1024 * 1024 * 1024;

const httpUrl = z.string().superRefine((value, ctx) => {
  const parsed = parseHttpUrl(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
});

export const ZWebhookConfig = z.strictObject({
  url: httpUrl,
  events: z.array(z.enum(WEBHOOK_CATEGORY_NAMES as [WebhookCategory, ...WebhookCategory[]])).min(1, 'choose at least one kind of event'),
});

export const ZSyslogConfig = z.strictObject({
  target: z.string().superRefine((value, ctx) => {
    const parsed = parseSyslogTarget(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  }),
  /** PEM of the CA that must have issued the server's certificate (tls:// only); the system CAs when absent */
  caPem: z.string().max(MAX_CA_BYTES).regex(/-----BEGIN CERTIFICATE-----/, 'expected a PEM certificate').optional(),
});

export const ZHecConfig = z.strictObject({
  url: httpUrl,
  /** PEM of the CA for an https collector with a private CA; the system CAs when absent */
  caPem: z.string().max(MAX_CA_BYTES).regex(/-----BEGIN CERTIFICATE-----/, 'expected a PEM certificate').optional(),
});

export const ZOcsfConfig = z.strictObject({
  /** an absolute folder on the console's host */
  dir: z.string().min(1).max(1024).refine((d) => d.startsWith('/'), 'the folder must be an absolute path'),
  maxBytes: z.number().int().min(OCSF_MIN_FILE_BYTES).max(OCSF_MAX_FILE_BYTES),
  /** rotated files kept besides the current one */
  keep: z.number().int().min(1).max(1000),
});

export type WebhookConfig = z.infer<typeof ZWebhookConfig>;
export type SyslogConfig = z.infer<typeof ZSyslogConfig>;
export type HecConfig = z.infer<typeof ZHecConfig>;
export type OcsfConfig = z.infer<typeof ZOcsfConfig>;

export type DestinationConfig =
  | { readonly kind: 'webhook'; readonly config: WebhookConfig }
  | { readonly kind: 'syslog'; readonly config: SyslogConfig }
  | { readonly kind: 'hec'; readonly config: HecConfig }
  | { readonly kind: 'ocsf'; readonly config: OcsfConfig };

const SCHEMAS = { webhook: ZWebhookConfig, syslog: ZSyslogConfig, hec: ZHecConfig, ocsf: ZOcsfConfig } as const satisfies Record<DestinationKind, z.ZodType>;

export type DestinationConfigCode = 'INVALID_DESTINATION';

export function parseDestinationConfig(kind: DestinationKind, raw: unknown): Result<DestinationConfig, DestinationConfigCode> {
  const parsed = SCHEMAS[kind].safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || kind}: ${i.message}`);
    return err('INVALID_DESTINATION', `invalid ${kind} destination: ${issues.join('; ')}`, issues);
  }
  return ok({ kind, config: parsed.data } as DestinationConfig);
}

export function checkName(name: string): Result<string, DestinationConfigCode> {
  return NAME_PATTERN.test(name) ? ok(name) : err('INVALID_DESTINATION', 'a name is 1-64 of a-z, 0-9, ".", "_", "-", starting with a letter or digit');
}

/** Where a destination sends, for listings (never a secret). */
export function describeTarget(d: DestinationConfig): string {
  switch (d.kind) {
    case 'webhook':
    case 'hec':
      return d.config.url;
    case 'syslog':
      return d.config.target;
    case 'ocsf':
      return `${d.config.dir} (${d.config.maxBytes} bytes × ${d.config.keep + 1} files)`;
  }
}
