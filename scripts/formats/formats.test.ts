/**
 * The published formats cannot drift: every committed JSON Schema under docs/formats/ is exactly what
 * its zod schema generates (`npm run docs:formats`), each is in the change log, and the conformance
 * vectors beside each give the stated result under the zod schema, the published JSON Schema and,
 * where the format has one, Night Core's own reader or verifier (signatures, hashes, key periods).
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMATS, TEXT_FORMATS, type FormatReader } from './registry';
import { FORMATS_DIR, jsonSchemaText, schemaFile } from './generate';
import { checkJsonSchema } from './json-schema-check';

interface Vector {
  readonly description: string;
  /** the reader's answer (the schema's, for a format without a reader) */
  readonly valid: boolean;
  /** the reader's error code for an invalid vector */
  readonly code?: string;
  readonly value: unknown;
  /** the zod schema's answer where it differs from the reader's */
  readonly schema?: boolean;
  /** the JSON Schema's answer where it differs from zod's */
  readonly jsonSchema?: boolean;
  readonly why?: string;
}

const vectorFile = (id: string, version: number) =>
  JSON.parse(readFileSync(join(FORMATS_DIR, 'vectors', `${id}.v${version}.json`), 'utf8')) as Record<string, unknown> & { vectors: Vector[] };

/** A vector through the real reader: its answer and, for an invalid one, its code. */
function expectReader(read: FormatReader, file: Record<string, unknown>, v: Vector) {
  const r = read(v.value, { file, vector: v as unknown as Record<string, unknown> });
  expect(r.ok, r.ok ? 'the reader accepted it' : `${r.code}: ${r.message}`).toBe(v.valid);
  if (!r.ok && v.code !== undefined) expect(r.code).toBe(v.code);
}

const changelog = readFileSync(join(FORMATS_DIR, 'CHANGELOG.md'), 'utf8');

describe.each(FORMATS.map((f) => [`${f.id} v${f.version}`, f] as const))('%s', (_name, format) => {
  it('the committed JSON Schema is what the zod schema generates (run npm run docs:formats after changing it)', () => {
    const path = join(FORMATS_DIR, schemaFile(format));
    expect(existsSync(path), `${path} is missing: run npm run docs:formats`).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(jsonSchemaText(format));
  });

  it('is in the change log', () => {
    expect(changelog).toContain(schemaFile(format));
  });

  const file = vectorFile(format.id, format.version);
  const vectors = file.vectors;
  const schema = JSON.parse(readFileSync(join(FORMATS_DIR, schemaFile(format)), 'utf8')) as Record<string, unknown>;

  it('has valid and invalid vectors, and every disagreement between zod and JSON Schema says why', () => {
    expect(vectors.some((v) => v.valid)).toBe(true);
    expect(vectors.some((v) => !v.valid)).toBe(true);
    for (const v of vectors) if (v.jsonSchema !== undefined || v.schema !== undefined) expect(v.why, v.description).toMatch(/\w/);
    // Only a reader can answer differently from the schema.
    if (!format.read) expect(vectors.filter((v) => v.schema !== undefined || v.code !== undefined)).toEqual([]);
  });

  it.each(vectors.map((v) => [v.description, v] as const))('vector: %s', (_d, v) => {
    const zod = format.schema.safeParse(v.value);
    const zodExpected = v.schema ?? v.valid;
    expect(zod.success, zod.success ? 'zod accepted it' : zod.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')).toBe(zodExpected);
    const problems = checkJsonSchema(schema, v.value);
    expect(problems.length === 0, problems.join('; ') || 'the JSON Schema accepted it').toBe(v.jsonSchema ?? zodExpected);
    if (format.read) expectReader(format.read, file, v);
  });
});

describe.each(TEXT_FORMATS.map((f) => [`${f.id} v${f.version} (text, no JSON Schema)`, f] as const))('%s', (_name, format) => {
  const file = vectorFile(format.id, format.version);
  it('is in the change log, with valid and invalid vectors that name their code', () => {
    expect(changelog).toContain(`vectors/${format.id}.v${format.version}.json`);
    expect(file.vectors.some((v) => v.valid)).toBe(true);
    for (const v of file.vectors.filter((x) => !x.valid)) expect(v.code, v.description).toMatch(/^[A-Z_]+$/);
  });
  it.each(file.vectors.map((v) => [v.description, v] as const))('vector: %s', (_d, v) => expectReader(format.read, file, v));
});

it('docs/formats holds no schema the registry does not produce, except older versions kept in the change log', () => {
  const produced = new Set(FORMATS.map(schemaFile));
  for (const file of readdirSync(FORMATS_DIR).filter((f) => f.endsWith('.schema.json'))) {
    if (!produced.has(file)) expect(changelog, `${file} is neither generated nor an older version named in CHANGELOG.md`).toContain(file);
  }
});

describe('the JSON Schema checker', () => {
  const schema = {
    type: 'object',
    properties: { n: { type: 'integer', minimum: 1 }, s: { type: 'string', pattern: '^[a-z]+$' }, a: { type: 'array', items: { enum: ['x', 'y'] }, maxItems: 2 } },
    required: ['n'],
    additionalProperties: false,
  };
  it('accepts a conforming value and names every problem of one that is not', () => {
    expect(checkJsonSchema(schema, { n: 2, s: 'ok', a: ['x'] })).toEqual([]);
    expect(checkJsonSchema(schema, { s: 'NO', a: ['z', 'x', 'y'], extra: 1 })).toEqual([
      '$: missing required "n"',
      '$.s: does not match ^[a-z]+$',
      '$.a: more than 2 items',
      '$.a[0]: must be one of ["x","y"]',
      '$.extra: no value is allowed here',
    ]);
    expect(checkJsonSchema(schema, { n: 1.5 })).toEqual(['$.n: must be integer, is number']);
  });
  it('refuses a keyword it does not know instead of skipping it', () => {
    expect(() => checkJsonSchema({ type: 'array', uniqueItems: true }, [1, 1])).toThrow(/does not know the keyword "uniqueItems"/);
  });
});
