/**
 * Test helper: the decision records each published version wrote (testdata/records/<commit>/, made
 * by scripts/make-record-vectors.ts with that commit's own CLI), for the reader tests of every layer.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalPayload } from '../audit/canonical-payload';

export const RECORDS_ROOT = join(import.meta.dirname ?? __dirname, '..', '..', '..', 'testdata', 'records');
export const RECORD_VERSIONS: readonly string[] = readdirSync(RECORDS_ROOT).filter((d) => existsSync(join(RECORDS_ROOT, d, 'audit.jsonl'))).sort();

export interface ExportedEvent {
  readonly seq: number;
  readonly time: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly payload: unknown;
  readonly prevHash: string;
  readonly hash: string;
}

export interface RecordedCommand {
  readonly runId: string;
  readonly module: string;
  readonly stdin?: string;
  readonly dir?: string;
}

/** One version's folder: its exported log, the run.decided events in it, and what each run was. */
export function recordsOf(version: string) {
  const dir = join(RECORDS_ROOT, version);
  const events = readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ExportedEvent);
  const runs = JSON.parse(readFileSync(join(dir, 'runs.json'), 'utf8')) as RecordedCommand[];
  return { dir, events, runs, decided: events.filter((e) => e.action === 'run.decided') };
}

/** The payload text as stored and hashed: the exported JSON value in canonical form. */
export function storedText(payload: unknown): string {
  const text = canonicalPayload(payload);
  if (!text.ok) throw new Error(text.message);
  return text.value;
}
