/**
 * Every field of the policy language, read from the zod schema itself: path, type, default and
 * range. docs/policy-reference.md carries the same table with a meaning for each row, and a test
 * compares the two, so the reference cannot drift from what the validator accepts.
 */
import type { z } from 'zod';
import { ZPolicySchema } from './schema';

export interface PolicyField {
  /** Dotted path; `[]` marks an element of a list. */
  readonly path: string;
  readonly type: string;
  /** What an omitted field becomes: a JSON value, `required`, or `absent`. */
  readonly default: string;
  /** Bounds and patterns the validator enforces (empty when there are none). */
  readonly range: string;
}

// zod keeps its definitions in `_zod.def`; this file is the one place that reads them.
type Def = {
  type: string;
  checks?: { _zod: { def: Record<string, unknown> } }[];
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string>;
  values?: unknown[];
  defaultValue?: unknown;
};
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

const fmt = (n: number): string => (Number.isSafeInteger(n) && Math.abs(n) >= 10_000 ? n.toLocaleString('en-US') : String(n));

/** "0–100", "≥ 1", "≤ 2000 characters", "`^re$`" from a schema's checks. */
function rangeOf(s: z.ZodType): string {
  const d = defOf(s);
  let min: string | undefined;
  let max: string | undefined;
  const extra: string[] = [];
  for (const c of d.checks ?? []) {
    const cd = c._zod.def;
    if (cd.check === 'greater_than') min = cd.inclusive ? fmt(cd.value as number) : fmt((cd.value as number) + (isInt(s) ? 1 : 0));
    if (cd.check === 'less_than') max = cd.inclusive ? fmt(cd.value as number) : `< ${fmt(cd.value as number)}`;
    if (cd.check === 'min_length') min = fmt(cd.minimum as number);
    if (cd.check === 'max_length') max = fmt(cd.maximum as number);
    if (cd.check === 'string_format' && cd.format === 'regex') extra.push(`\`${(cd.pattern as RegExp).source}\``);
  }
  const unit = d.type === 'string' ? ' characters' : d.type === 'array' ? ' items' : '';
  let bounds = '';
  if (min !== undefined && max !== undefined) bounds = `${min}–${max}${unit}`;
  else if (min !== undefined) bounds = `≥ ${min}${unit}`;
  else if (max !== undefined) bounds = `≤ ${max}${unit}`;
  return [bounds, ...extra].filter((x) => x !== '').join(', ');
}

const isInt = (s: z.ZodType): boolean => (defOf(s).checks ?? []).some((c) => c._zod.def.format === 'safeint');

/** Unwraps defaults and optionals: the schema that validates a present value. */
function core(s: z.ZodType): z.ZodType {
  const d = defOf(s);
  return ['default', 'prefault', 'optional'].includes(d.type) && d.innerType ? core(d.innerType) : s;
}

function defaultOf(s: z.ZodType): string {
  const d = defOf(s);
  if (d.type === 'default') return JSON.stringify(d.defaultValue);
  if (d.type === 'prefault') return 'all defaults';
  if (d.type === 'optional') return 'absent';
  return 'required';
}

/** A leaf's type in words, with its element's range folded in for lists and maps. */
function typeOf(s: z.ZodType): string {
  const c = core(s);
  const d = defOf(c);
  switch (d.type) {
    case 'number':
      return isInt(c) ? 'integer' : 'number';
    case 'string':
    case 'boolean':
      return d.type;
    case 'literal':
      return (d.values ?? []).map((v) => JSON.stringify(v)).join(' or ');
    case 'enum':
      return `one of ${Object.values(d.entries ?? {}).join(', ')}`;
    case 'nullable':
      return `${typeOf(d.innerType!)} or null`;
    case 'union':
      return (d.options ?? []).map(typeOf).join(' or ');
    case 'array': {
      const r = rangeOf(d.element!);
      return `list of ${typeOf(d.element!)}${r ? ` (each ${r})` : ''}`;
    }
    case 'record': {
      const k = rangeOf(d.keyType!);
      return `map of ${typeOf(d.keyType!)}${k ? ` (${k})` : ''} to ${typeOf(d.valueType!)}`;
    }
    case 'object':
      return 'object';
    default:
      return d.type;
  }
}

function walk(s: z.ZodType, path: string, out: PolicyField[]): void {
  const c = core(s);
  const d = defOf(c);
  if (path !== '') out.push({ path, type: typeOf(s), default: defaultOf(s), range: d.type === 'nullable' ? rangeOf(d.innerType!) : rangeOf(c) });
  if (d.type === 'object') {
    for (const [key, child] of Object.entries(d.shape ?? {})) walk(child, path === '' ? key : `${path}.${key}`, out);
  } else if (d.type === 'array' && defOf(core(d.element!)).type === 'object') {
    walk(d.element!, `${path}[]`, out);
  }
}

/** Every field of the policy language, in schema order. */
export function policyFields(): PolicyField[] {
  const out: PolicyField[] = [];
  walk(ZPolicySchema, '', out);
  return out;
}
