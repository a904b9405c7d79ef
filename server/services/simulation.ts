/**
 * Policy simulation over the recorded runs (server/core/guardian/simulate.ts does the judging):
 * streams the runs of the chosen window from SQLite, newest first, and supplies each module
 * version's manifest and inspector report once (cached by version). PRO feature policy_simulation:
 * refused here, so the CLI and the API are gated alike.
 */
import type { DbHandle } from '../../db/client';
import type { DecisionRecord } from '../core/guardian/decision-record';
import { parseDecisionRecord } from '../core/guardian/decision-record-schema';
import { simulatePolicy, type ModuleFacts, type RecordedRun, type SimulationReport } from '../core/guardian/simulate';
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

/** Runs `simulate`, turning a record that does not read into RECORD_INVALID instead of an exception. */
function readingRecords<T>(simulate: () => T): Result<T, 'RECORD_INVALID'> {
  try {
    return ok(simulate());
  } catch (e) {
    if (e instanceof UnreadableRecord) return err('RECORD_INVALID', e.message);
    throw e;
  }
}

/**
 * A run's decision record is stored once (migration 0020): the payload of its own run.decided audit
 * event, or its kept copy in run_records (the same join as RunQueries).
 */
const RECORD = 'coalesce(rr.record, ae.payload)';
const FROM_RUNS = `FROM runs r LEFT JOIN run_records rr ON rr.run_id = r.id
  LEFT JOIN audit_events ae ON ae.seq = r.audit_seq AND ae.action = 'run.decided' AND ae.subject = 'run:' || r.id
  WHERE r.started_at >= ? ORDER BY r.started_at DESC, r.id DESC LIMIT ?`;

interface Row {
  id: string;
  decision: 'allow' | 'deny';
  record: string | null;
  module_version_id: number;
  stdout: Buffer | null;
  stderr: Buffer | null;
}

export function simulateOverHistory(
  deps: { readonly handle: DbHandle; readonly license: Pick<LicenseService, 'require'> },
  candidate: TPolicy,
  window: SimulationWindow = {},
): Result<SimulationReport, SimulationCode> {
  const licensed = deps.license.require('policy_simulation');
  if (!licensed.ok) return licensed;
  const last = window.last ?? DEFAULT_SIMULATION_RUNS;
  if (!Number.isSafeInteger(last) || last < 1 || last > MAX_SIMULATION_RUNS) {
    return err('WINDOW_INVALID', `--last must be a whole number from 1 to ${MAX_SIMULATION_RUNS}, not ${last}`);
  }
  if (window.since && Number.isNaN(window.since.getTime())) return err('WINDOW_INVALID', 'the start of the window is not a valid time');
  // The output is read only when a rule looks at it: 200,000 runs' output would dwarf the records.
  const output = candidate.post.output_patterns ? 'r.stdout, r.stderr' : 'NULL AS stdout, NULL AS stderr';
  const rows = deps.handle.sqlite.prepare<[number, number], Row>(`SELECT r.id, r.decision, ${RECORD} AS record, r.module_version_id, ${output} ${FROM_RUNS}`).iterate(window.since?.getTime() ?? 0, last);
  const versionOf = new Map<string, number>();
  function* recorded(): Generator<RecordedRun> {
    for (const row of rows) {
      if (row.record === null) continue; // its run.decided event is missing: nothing to judge (RunQueries.get refuses it too)
      versionOf.set(row.id, row.module_version_id);
      yield {
        id: row.id,
        decision: row.decision,
        record: readRecord(row.id, row.record),
        ...(row.stdout !== null && row.stderr !== null ? { stdout: new Uint8Array(row.stdout), stderr: new Uint8Array(row.stderr) } : {}),
      };
    }
  }
  return readingRecords(() => simulatePolicy(candidate, recorded(), moduleFactsFrom(deps.handle, (run) => versionOf.get(run.id))));
}

/** Manifest and inspector report per module version, read and inspected once per simulation. */
export function moduleFactsFrom(handle: DbHandle, versionIdOf: (run: RecordedRun) => number | undefined): (run: RecordedRun) => ModuleFacts | undefined {
  const cache = new Map<number, ModuleFacts | null>();
  const read = handle.sqlite.prepare<[number], { manifest_json: string; wasm: Buffer }>('SELECT manifest_json, wasm FROM module_versions WHERE id = ?');
  return (run) => {
    const id = versionIdOf(run) ?? run.record.module.id;
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
  const last = window.last ?? DEFAULT_SIMULATION_RUNS;
  if (!Number.isSafeInteger(last) || last < 1 || last > MAX_SIMULATION_RUNS) {
    return err('WINDOW_INVALID', `--last must be a whole number from 1 to ${MAX_SIMULATION_RUNS}, not ${last}`);
  }
  const rows = deps.handle.sqlite
    .prepare<[number, number], { id: string; record: string | null }>(`SELECT r.id, ${RECORD} AS record ${FROM_RUNS}`)
    .iterate(window.since?.getTime() ?? 0, last);
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
