/**
 * `npm run docs:formats`: writes docs/formats/<id>.v<version>.schema.json from the zod schemas in
 * scripts/formats/registry.ts. The test beside this file fails when a committed file differs.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { FORMATS, type PublishedFormat } from './registry';

export const FORMATS_DIR = resolve(import.meta.dirname ?? __dirname, '..', '..', 'docs', 'formats');
export const schemaFile = (f: PublishedFormat) => `${f.id}.v${f.version}.schema.json`;

/** The JSON Schema text for one format: deterministic, so the drift test can compare bytes. */
export function jsonSchemaText(f: PublishedFormat): string {
  // io 'input': what a document on disk may hold (optional fields may be absent; defaults apply after).
  const generated = z.toJSONSchema(f.schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  const document = {
    $schema,
    $id: schemaFile(f),
    title: f.title,
    description: `${f.description} See ${f.docs}.`,
    ...(f.identifier ? { 'x-nightcore-format': f.identifier } : {}),
    'x-nightcore-version': f.version,
    ...rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename ?? '')) {
  for (const f of FORMATS) {
    writeFileSync(join(FORMATS_DIR, schemaFile(f)), jsonSchemaText(f));
    console.log(`wrote docs/formats/${schemaFile(f)}`);
  }
}
