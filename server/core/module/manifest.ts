import { z } from 'zod';
import semver from 'semver';
import { DEFAULT_TABLE_ELEMENTS, MAX_TABLE_ELEMENTS } from './table-limits';

/** The WASI capabilities a module may request and a policy may grant. Nothing else exists. */
export const CAPABILITIES = ['args', 'environ', 'stdin', 'stdout', 'stderr', 'clock', 'random', 'exit', 'fs.read', 'fs.write'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const MANIFEST_FORMAT = 'nightcore.module/v1';

/** Anchored: names end up in file paths, URLs and log lines. */
const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const TENANT_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SHA256_RE = /^[0-9a-f]{64}$/;

export { DEFAULT_TABLE_ELEMENTS, MAX_TABLE_ELEMENTS };

export const ZLimitsSchema = z.strictObject({
  fuel: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  memoryPages: z.number().int().min(0).max(65536),
  wallMs: z.number().int().positive().max(3_600_000),
  outputBytes: z.number().int().min(0).max(64 * 1024 * 1024),
  /** Table elements over all tables (initial sizes and growth). Optional: absent means DEFAULT_TABLE_ELEMENTS. */
  tableElements: z.number().int().min(0).max(MAX_TABLE_ELEMENTS).optional(),
});
export type TLimits = z.infer<typeof ZLimitsSchema>;
/** Limits as the sandbox applies them: every field present (see effectiveGrant). */
export type TEffectiveLimits = Required<TLimits>;

/** The table cap a limits object stands for: absent means the default. The one place that says so. */
export function tableElementsOf(limits: TLimits): number {
  return limits.tableElements ?? DEFAULT_TABLE_ELEMENTS;
}

export const ZManifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  name: z.string().regex(NAME_RE, 'lower-case letters, digits, ".", "_" or "-", at most 64, starting with a letter or digit'),
  version: z.string().refine((v) => semver.valid(v) === v, 'must be a semantic version such as 1.2.3'),
  tenant: z.string().regex(TENANT_RE, 'lower-case letters, digits, "_" or "-", at most 64'),
  description: z.string().max(2000),
  entry: z.string().min(1).max(256),
  capabilities: z
    .array(z.enum(CAPABILITIES))
    .max(CAPABILITIES.length)
    .refine((caps) => new Set(caps).size === caps.length, 'must not repeat a capability'),
  limits: ZLimitsSchema,
  wasm: z.strictObject({ sha256: z.string().regex(SHA256_RE, 'must be 64 lower-case hex digits') }),
});
export type TManifest = z.infer<typeof ZManifestSchema>;

/** Formats a zod error as one line per bad field, so every problem is reported at once. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}
