/**
 * A small JSON Schema (draft 2020-12) checker for the keywords our generated schemas use, so the
 * conformance vectors are checked against the published JSON Schemas without a new dependency.
 * A keyword it does not know is an error, never silently skipped: a schema using one needs this
 * checker taught first (or a real validator).
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'default', 'examples']);
const KNOWN = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'items', 'minItems', 'maxItems',
  'enum', 'const', 'anyOf', 'oneOf', 'allOf', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum',
]);

const typeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
const typeMatches = (want: string, v: unknown) => typeOf(v) === want || (want === 'number' && typeOf(v) === 'integer');
const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every place `value` breaks `schema`, as "path: why"; empty when it conforms. */
export function checkJsonSchema(schema: Schema | boolean, value: unknown, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: no value is allowed here`];
  const problems: string[] = [];
  const fail = (why: string) => problems.push(`${path}: ${why}`);
  for (const key of Object.keys(schema)) {
    if (!ANNOTATIONS.has(key) && !KNOWN.has(key) && !key.startsWith('x-')) throw new Error(`${path}: the checker does not know the keyword "${key}"`);
  }
  const s = schema as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (s.type !== undefined) {
    const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((t) => typeMatches(t, value))) return [`${path}: must be ${types.join(' or ')}, is ${typeOf(value)}`];
  }
  if (s.const !== undefined && !equal(s.const, value)) fail(`must be ${JSON.stringify(s.const)}`);
  if (s.enum !== undefined && !(s.enum as unknown[]).some((e) => equal(e, value))) fail(`must be one of ${JSON.stringify(s.enum)}`);
  if (typeof value === 'string') {
    const length = [...value].length;
    if (s.minLength !== undefined && length < s.minLength) fail(`shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && length > s.maxLength) fail(`longer than ${s.maxLength}`);
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) fail(`does not match ${s.pattern}`);
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) fail(`below ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) fail(`above ${s.maximum}`);
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) fail(`not above ${s.exclusiveMinimum}`);
    if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) fail(`not below ${s.exclusiveMaximum}`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) fail(`fewer than ${s.minItems} items`);
    if (s.maxItems !== undefined && value.length > s.maxItems) fail(`more than ${s.maxItems} items`);
    if (s.items !== undefined) value.forEach((item, i) => problems.push(...checkJsonSchema(s.items, item, `${path}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    for (const name of (s.required ?? []) as string[]) if (!(name in object)) fail(`missing required "${name}"`);
    for (const [name, v] of Object.entries(object)) {
      if (s.propertyNames !== undefined) problems.push(...checkJsonSchema(s.propertyNames, name, `${path}.${name} (name)`));
      if (name in properties) problems.push(...checkJsonSchema(properties[name]!, v, `${path}.${name}`));
      else if (s.additionalProperties !== undefined) problems.push(...checkJsonSchema(s.additionalProperties, v, `${path}.${name}`));
    }
  }
  if (s.allOf !== undefined) for (const sub of s.allOf as Schema[]) problems.push(...checkJsonSchema(sub, value, path));
  if (s.anyOf !== undefined && !(s.anyOf as Schema[]).some((sub) => checkJsonSchema(sub, value, path).length === 0)) fail('matches none of anyOf');
  if (s.oneOf !== undefined && (s.oneOf as Schema[]).filter((sub) => checkJsonSchema(sub, value, path).length === 0).length !== 1) fail('must match exactly one of oneOf');
  return problems;
}
