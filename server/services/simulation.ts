/**
 * Policy simulation over the recorded runs (server/core/guardian/simulate.ts does the judging):
 * streams the runs of the chosen window from SQLite, newest first, each as its compact facts
 * (runs.guardian_facts), and supplies each module version's manifest and inspector report once
 * (cached by version). PRO feature policy_simulation:
 * refused here, so the CLI and the API are gated alike.
 */
import type { DbHandle } from '../../db/client';
import type { DecisionRecord } from '../core/guardian/decision-record';
import { parseDecisionRecord } from '../core/guardian/decision-record-schema';
import { simulatePolicy, type ModuleFacts, type RecordedRun, type SimulationReport } from '../core/guardian/simulate';
import { decodeRunFacts, factsFromRecord, type RunFacts } from '../core/guardian/run-facts';
import { recommendFromRuns, type Recommendation } from '../core/guardian/recommend';
import type { TPolicy } from '../core/guardian/schema';
import { parseManifestText } from '../core/module/verify';
import { inspectWasm } from '../core/wasm/inspect';
import { err, ok, type Result } from '../core/result';
import type { GateCode } from '../core/license';
import type { LicenseService } from './license';

export const DEFAULT_SIMULATION_RUNS = 1000;
/** The bench's size: the largest window one simulation reads (bench/simulation.bench.ts). */
export const MAX_SIMULATION_RUNS = 200_000;

export interface SimulationWindow {
  /** The newest N runs (default 1000, at most 200,000). */
  readonly last?: number;
  /** Only runs that started at or after this time. */
  readonly since?: Date;
}

export type SimulationCode = GateCode | 'WINDOW_INVALID' | 'RECORD_INVALID';

/** Thrown out of the lazily read runs, caught where the simulation is called: one bad record stops it, named. */
class UnreadableRecord extends Error {}

/** Every published version of the record, read through its schema (older ones lack later fields). */
function readRecord(runId: string, text: string): DecisionRecord {
  const parsed = parseDecisionRecord(text, runId);
  if (!parsed.ok) throw new UnreadableRecord(parsed.message);
  return parsed.value;
}

/** Runs `read`, turning a record that does not read into RECORD_INVALID instead of an exception. */
function readingRecords<T>(read: () => T): Result<T, 'RECORD_INVALID'> {
  try {
    return ok(read());
  } catch (e) {
    if (e instanceof UnreadableRecord) return err('RECORD_INVALID', e.message);
    throw e;
  }
}

/**
 * Where the simulation reads each run's facts from:
 * - `facts` (the default): the compact facts stored with the run (runs.guardian_facts, migration
 *   0024), about a hundred bytes per run; a run without them (none should be) falls back to its record;
 * - `records`: every run's full decision record, parsed (the reference: the equivalence test and the
 *   bench check that both give the same report).
 */
export type RunSource = 'facts' | 'records';

/**
 * A run's decision record is stored once (migration 0020): the payload of its own run.decided audit
 * event, or its kept copy in run_records (the same join as RunQueries).
 */
const RECORD = 'coalesce(rr.record, ae.payload)';
const JOIN_RECORD = `LEFT JOIN run_records rr ON rr.run_id = r.id
  LEFT JOIN audit_events ae ON ae.seq = r.audit_seq AND ae.action = 'run.decided' AND ae.subject = 'run:' || r.id`;
const WINDOW = 'WHERE r.started_at >= ? ORDER BY r.started_at DESC, r.id DESC LIMIT ?';

interface Row {
  id: string;
  decision: 'allow' | 'deny';
  module_version_id: number;
  module_name: string;
  module_version: string;
  started_at: number;
  stdout: Buffer | null;
  stderr: Buffer | null;
}

function checkWindow(window: SimulationWindow): Result<{ since: number; last: number }, 'WINDOW_INVALID'> {
  const last = window.last ?? DEFAULT_SIMULATION_RUNS;
  if (!Number.isSafeInteger(last) || last < 1 || last > MAX_SIMULATION_RUNS) {
    return err('WINDOW_INVALID', `--last must be a whole number from 1 to ${MAX_SIMULATION_RUNS}, not ${last}`);
  }
  if (window.since && Number.isNaN(window.since.getTime())) return err('WINDOW_INVALID', 'the start of the window is not a valid time');
  return ok({ since: window.since?.getTime() ?? 0, last });
}

/**
 * The window's runs, newest first, streamed (one row at a time, never the whole window in memory).
 * A run whose record is missing (its run.decided event is gone) is skipped: nothing to judge, and
 * RunQueries.get refuses it too.
 */
export function* recordedRuns(handle: DbHandle, range: { since: number; last: number }, options: { source: RunSource; output: boolean }): Generator<RecordedRun & { moduleVersionId: number }> {
  const sqlite = handle.sqlite;
  // The output is read only when a rule looks at it: 200,000 runs' output would dwarf the facts.
  const output = options.output ? 'r.stdout, r.stderr' : 'NULL AS stdout, NULL AS stderr';
  const identity = 'r.id, r.decision, r.module_version_id, r.module_name, r.module_version, r.started_at';
  // A Buffer is a Uint8Array: the output is handed over without a copy.
  const run = (row: Row, facts: RunFacts, startedAt: string, module: { name: string; version: string }) =>
    ({ id: row.id, decision: row.decision, moduleVersionId: row.module_version_id, startedAt, module, facts, stdout: row.stdout ?? undefined, stderr: row.stderr ?? undefined });
  const fromRecord = (row: Row, record: string) => {
    const r = readRecord(row.id, record);
    return run(row, factsFromRecord(r), r.startedAt, { name: r.module.name, version: r.module.version });
  };
  if (options.source === 'records') {
    const rows = sqlite.prepare<[number, number], Row & { record: string | null }>(`SELECT ${identity}, ${RECORD} AS record, ${output} FROM runs r ${JOIN_RECORD} ${WINDOW}`);
    for (const row of rows.iterate(range.since, range.last)) {
      if (row.record === null) continue;
      yield fromRecord(row, row.record);
    }
    return;
  }
  const rows = sqlite.prepare<[number, number], Row & { guardian_facts: string | null }>(`SELECT ${identity}, r.guardian_facts, ${output} FROM runs r ${WINDOW}`);
  const recordOf = sqlite.prepare<[string], { record: string | null }>(`SELECT ${RECORD} AS record FROM runs r ${JOIN_RECORD} WHERE r.id = ?`);
  for (const row of rows.iterate(range.since, range.last)) {
    const facts = row.guardian_facts === null ? undefined : decodeRunFacts(row.guardian_facts);
    if (facts) {
      yield run(row, facts, new Date(row.started_at).toISOString(), { name: row.module_name, version: row.module_version });
      continue;
    }
    // No stored facts (or a damaged value): the record says what they are; nothing is guessed.
    const record = recordOf.get(row.id)?.record ?? null;
    if (record === null) continue;
    yield fromRecord(row, record);
  }
}

export function simulateOverHistory(
  deps: { readonly handle: DbHandle; readonly license: Pick<LicenseService, 'require'> },
  candidate: TPolicy,
  window: SimulationWindow = {},
  source: RunSource = 'facts',
): Result<SimulationReport, SimulationCode> {
  const licensed = deps.license.require('policy_simulation');
  if (!licensed.ok) return licensed;
  const range = checkWindow(window);
  if (!range.ok) return range;
  const runs = recordedRuns(deps.handle, range.value, { source, output: candidate.post.output_patterns !== undefined });
  return readingRecords(() => simulatePolicy(candidate, runs, moduleFactsFrom(deps.handle)));
}

/** Manifest and inspector report per module version, read and inspected once per simulation. */
export function moduleFactsFrom(handle: DbHandle): (run: RecordedRun & { moduleVersionId: number }) => ModuleFacts | undefined {
  const cache = new Map<number, ModuleFacts | null>();
  const read = handle.sqlite.prepare<[number], { manifest_json: string; wasm: Buffer }>('SELECT manifest_json, wasm FROM module_versions WHERE id = ?');
  return (run) => {
    const id = run.moduleVersionId;
    let facts = cache.get(id);
    if (facts === undefined) {
      const row = read.get(id);
      const manifest = row ? parseManifestText(row.manifest_json) : undefined;
      const report = row ? inspectWasm(new Uint8Array(row.wasm)) : undefined;
      facts = manifest?.ok && report?.ok ? { manifest: manifest.value, report: report.value } : null;
      cache.set(id, facts);
    }
    return facts ?? undefined;
  };
}

export interface RecommendationWithSimulation extends Recommendation {
  readonly simulation: SimulationReport;
}

/**
 * Recommendations from the window's runs for the policy in force, each with the simulation of its
 * candidate over the same window. PRO: policy_recommendations (and nothing is applied).
 */
export function recommendFromHistory(
  deps: { readonly handle: DbHandle; readonly license: Pick<LicenseService, 'require'>; readonly policy: { readonly policy: TPolicy } },
  window: SimulationWindow = {},
): Result<RecommendationWithSimulation[], SimulationCode> {
  const licensed = deps.license.require('policy_recommendations');
  if (!licensed.ok) return licensed;
  const range = checkWindow(window);
  if (!range.ok) return range;
  // Recommendations read what the grant was (record.granted), which the facts do not keep.
  const rows = deps.handle.sqlite
    .prepare<[number, number], { id: string; record: string | null }>(`SELECT r.id, ${RECORD} AS record FROM runs r ${JOIN_RECORD} ${WINDOW}`)
    .iterate(range.value.since, range.value.last);
  function* records(): Generator<DecisionRecord> {
    for (const row of rows) if (row.record !== null) yield readRecord(row.id, row.record);
  }
  const read = readingRecords(() => recommendFromRuns(deps.policy.policy, records()));
  if (!read.ok) return read;
  const recs = read.value;
  // Simulating is part of recommending, so the recommendation licence covers it.
  const simulate = (candidate: TPolicy) => simulateOverHistory({ ...deps, license: { require: () => ok(undefined) } }, candidate, window);
  const out: RecommendationWithSimulation[] = [];
  for (const r of recs) {
    const simulation = simulate(r.candidate);
    if (!simulation.ok) return simulation;
    out.push({ ...r, simulation: simulation.value });
  }
  return ok(out);
}
