/**
 * The published formats cannot drift: every committed JSON Schema under docs/formats/ is exactly what
 * its zod schema generates (`npm run docs:formats`), each is in the change log, and the conformance
 * vectors beside each give the stated result under BOTH the zod schema and the published JSON Schema.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMATS } from './registry';
import { FORMATS_DIR, jsonSchemaText, schemaFile } from './generate';
import { checkJsonSchema } from './json-schema-check';

interface Vector {
  readonly description: string;
  readonly valid: boolean;
  readonly value: unknown;
  readonly jsonSchema?: boolean;
  readonly why?: string;
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

  const vectors = (JSON.parse(readFileSync(join(FORMATS_DIR, 'vectors', `${format.id}.v${format.version}.json`), 'utf8')) as { vectors: Vector[] }).vectors;
  const schema = JSON.parse(readFileSync(join(FORMATS_DIR, schemaFile(format)), 'utf8')) as Record<string, unknown>;

  it('has valid and invalid vectors, and every disagreement between zod and JSON Schema says why', () => {
    expect(vectors.some((v) => v.valid)).toBe(true);
    expect(vectors.some((v) => !v.valid)).toBe(true);
    for (const v of vectors) if (v.jsonSchema !== undefined) expect(v.why, v.description).toMatch(/\w/);
  });

  it.each(vectors.map((v) => [v.description, v] as const))('vector: %s', (_d, v) => {
    const zod = format.schema.safeParse(v.value);
    expect(zod.success, zod.success ? 'zod accepted it' : zod.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')).toBe(v.valid);
    const problems = checkJsonSchema(schema, v.value);
    expect(problems.length === 0, problems.join('; ') || 'the JSON Schema accepted it').toBe(v.jsonSchema ?? v.valid);
  });
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
