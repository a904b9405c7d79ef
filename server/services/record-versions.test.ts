/**
 * Readers accept every published version of the decision record (docs/decision-record.md,
 * "Versions"). testdata/records/<commit>/ holds records as each commit's own CLI wrote them
 * (scripts/make-record-vectors.ts): the exported log, the signed bundles, the inputs. For each one:
 * the hash covers the payload bytes as written; the schema reads every field of every record; and
 * this release's readers (audit verify, the console's run page over the API, replay, simulation,
 * recommendations, compliance reports) read them in a data folder of today. The CLI's `runs show`
 * and the console's words for them are checked in their own layers (server/cli/record-versions.test.ts,
 * components/runs/record-versions.test.ts); the upgrade fixture's records (b71af26) in upgrade.test.ts.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyChain } from '../core/audit/chain';
import type { AuditEvent } from '../core/audit/event';
import { ok } from '../core/result';
import { parseDecisionRecord } from '../core/guardian/decision-record-schema';
import type { DecisionRecord } from '../core/guardian/decision-record';
import { parsePolicyText } from '../core/guardian/schema';
import { ReportTally } from '../core/report/tally';
import { sha256Hex } from '../core/crypto/digest';
import { parsePublicKeyFile } from '../core/crypto/keys';
import { attestationCheck } from './attestation-audit';
import { openHarness, type Harness } from './test-fixtures';
import { installProLicense } from './test-license';
import { simulateOverHistory, recommendFromHistory } from './simulation';
import { createCaller } from '../api/root';
import { ctxFor, sessionFor } from '../api/test-support';
import { whyDenied, deniedBecause } from '../api/routers/run-why';
import { RECORD_VERSIONS as VERSIONS, recordsOf as load, storedText } from '../core/guardian/test-records';

it('there are records of every published version to read (the first release on)', () => {
  expect(VERSIONS).toEqual(expect.arrayContaining(['3740dfd', 'ae94af9', '89b9c62', 'a6cdcf6', 'fef56ac']));
});

describe.each(VERSIONS)('decision records written by %s', (version) => {
  const { dir, events, runs, decided } = load(version);

  it('its log verifies as written: every event hashes to its stated hash from the payload bytes, every link holds', () => {
    const asStored: AuditEvent[] = events.map((e) => ({ ...e, payload: storedText(e.payload) }));
    // audit verify's own check, with its record reader for remote runs' attestations.
    const report = verifyChain(asStored, [], () => ok(true), undefined, attestationCheck(() => undefined));
    expect(report).toMatchObject({ ok: true, events: events.length });
    expect(decided.length).toBe(runs.length);
  });

  it('every record reads through the schema with nothing dropped or changed', () => {
    for (const e of decided) {
      const read = parseDecisionRecord(storedText(e.payload), e.subject);
      expect(read.ok ? 'read' : read.message, e.subject).toBe('read');
      // Every field of every published version is one the schema knows: what it returns is what was written.
      if (read.ok) expect(read.value).toEqual(e.payload);
    }
  });

  it('an altered record no longer hashes to what was written (the hash covers the bytes, not a re-serialised copy)', () => {
    const e = decided[0]!;
    const altered = { ...(e.payload as Record<string, unknown>), decision: (e.payload as { decision: string }).decision === 'allow' ? 'deny' : 'allow' };
    const asStored: AuditEvent[] = events.map((x) => ({ ...x, payload: storedText(x === e ? altered : x.payload) }));
    expect(verifyChain(asStored, [], () => ok(true))).toMatchObject({ ok: false, code: 'HASH_MISMATCH', seq: e.seq });
  });

  describe('in a data folder of this release', () => {
    let h: Harness;
    const records = new Map<string, DecisionRecord>();

    beforeAll(() => {
      h = openHarness();
      installProLicense(h.services);
      const trusted = h.services.trust.add({ publicKey: publicKeyOf(join(dir, 'publisher.pub')), role: 'publisher', name: 'records publisher' }, 'test:admin');
      if (!trusted.ok) throw new Error(trusted.message);
      const modules = new Map<string, { id: number; name: string; version: string; tenant: string; wasmSha256: string }>();
      for (const name of readdirSync(join(dir, 'bundles'))) {
        const imported = h.services.modules.importFolder(join(dir, 'bundles', name), 'test:operator');
        if (!imported.ok) throw new Error(`${name}: ${imported.message}`);
        modules.set(name, imported.value);
      }
      for (const [i, e] of decided.entries()) {
        const ran = runs[i]!;
        const module = modules.get(ran.module)!;
        const text = storedText(e.payload);
        const record = parseDecisionRecord(text);
        if (!record.ok) throw new Error(record.message);
        expect(record.value.runId).toBe(ran.runId);
        expect(record.value.module.wasmSha256).toBe(module.wasmSha256);
        adopt(h, text, record.value, module, ran.stdin ? readFileSync(join(dir, ran.stdin)) : Buffer.alloc(0), ran.dir ? join(dir, ran.dir) : undefined);
        records.set(ran.runId, record.value);
      }
    });
    afterAll(async () => {
      await h?.services.close();
    });

    it('the console run page reads each run (runs.get and runs.list over the API)', async () => {
      const caller = createCaller(ctxFor(sessionFor('viewer'), h.services));
      for (const [runId, record] of records) {
        const detail = await caller.runs.get({ id: runId });
        expect(detail.record).toEqual(record);
        expect(detail.decision).toBe(record.decision);
        const why = whyDenied(detail.record);
        if (record.decision === 'deny') expect(deniedBecause(why!)).toMatch(/\w/);
        else expect(why).toBeNull();
      }
      // The list reads only how each record was decided, and says why exactly as the run page does.
      const page = await caller.runs.list({ limit: 50 });
      expect(page.items.length).toBe(records.size);
      for (const item of page.items) {
        expect(item.decision).toBe(records.get(item.id)!.decision);
        expect(item).toMatchObject({ recordProblem: null, why: whyDenied(records.get(item.id)!) });
      }
    });

    it('replay re-runs each run that executed from its record alone, with the same outcome and output', async () => {
      let replayed = 0;
      for (const [runId, record] of records) {
        if (!record.execution) continue;
        const r = await h.services.governor.replay(runId, 'test:operator');
        if (h.services.quarantine.active(record.module.wasmSha256)) {
          // A module its own run quarantined stays refused: replay executes code, the gates apply.
          expect(r.ok ? 'replayed' : r.code).toBe('MODULE_QUARANTINED');
          continue;
        }
        expect(r.ok ? 'replayed' : r.message, runId).toBe('replayed');
        if (!r.ok) continue;
        replayed++;
        const same = r.value.differences.map((d) => d.field);
        // Outcome and output are the program's; fuel is counted by the metering of the release that ran it.
        expect(same.filter((f) => f !== 'fuelUsed'), `${runId}: ${JSON.stringify(r.value.differences)}`).toEqual([]);
      }
      expect(replayed).toBeGreaterThan(0);
    });

    it('simulation and recommendations judge them again; facts a version did not record are tried both ways', () => {
      const inForce = h.services.policy.policy;
      const same = simulateOverHistory(h.services, inForce, { last: 1000 });
      expect(same.ok ? same.value.runs : same.message).toBe(records.size);
      const refuseLegacy = parsePolicyText(JSON.stringify({ ...inForce, pre: { ...inForce.pre, legacy_modules: { severity: 'high', mode: 'deny' } } }));
      if (!refuseLegacy.ok) throw new Error(refuseLegacy.message);
      const strict = simulateOverHistory(h.services, refuseLegacy.value, { last: 1000 });
      if (!strict.ok) throw new Error(strict.message);
      const legacyRecorded = [...records.values()].every((r) => r.module.legacy !== undefined);
      // Before module.legacy existed a record cannot say the module was a bundle: never assumed.
      expect(strict.value.notRecorded.some((n) => /legacy import/.test(n.fact))).toBe(!legacyRecorded);
      const recs = recommendFromHistory(h.services, { last: 1000 });
      expect(recs.ok ? 'read' : recs.message).toBe('read');
    });

    it('a compliance report counts them', () => {
      const tally = new ReportTally();
      for (const e of events) tally.add({ ...e, payload: storedText(e.payload) });
      const facts = tally.facts();
      expect(facts.runs.total).toBe(records.size);
      expect(facts.runs.allow + facts.runs.deny).toBe(records.size);
    });
  });
});

function publicKeyOf(file: string): Uint8Array {
  const key = parsePublicKeyFile(readFileSync(file, 'utf8'));
  if (!key.ok) throw new Error(`${file}: ${key.message}`);
  return key.value;
}

/**
 * An old run as an upgraded folder holds it: its record is the payload of a run.decided event
 * (appended here with the bytes as written: canonical text, so the stored text is identical), the
 * runs row points at that event, and input files are stored by digest for replay.
 */
function adopt(h: Harness, text: string, record: DecisionRecord, module: { id: number; name: string; version: string; tenant: string; wasmSha256: string }, stdin: Buffer, inputDir: string | undefined) {
  const sqlite = h.services.handle.sqlite;
  const event = h.services.audit.append({ actor: record.actor, action: 'run.decided', subject: `run:${record.runId}`, payload: JSON.parse(text) as never });
  expect(event.payload).toBe(text);
  expect(sha256Hex(stdin)).toBe(record.input.stdinSha256);
  const ex = record.execution;
  sqlite
    .prepare(
      `INSERT INTO runs (id, module_version_id, module_name, module_version, tenant, wasm_sha256, actor, started_at, decision, outcome, exit_code,
        threat_score, fuel_used, wall_ms, policy_name, policy_revision, seed, output_sha256, stdin, stdout, stderr, audit_seq, capability_denials)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      record.runId, module.id, module.name, module.version, module.tenant, module.wasmSha256, record.actor, new Date(record.startedAt).getTime(),
      record.decision, ex?.outcome.kind ?? 'denied', ex?.outcome.kind === 'ok' ? ex.outcome.exitCode : null, record.threat.score, ex?.used.fuel ?? 0,
      Math.round(ex?.used.wallMs ?? 0), record.policy.name, record.policy.revision, record.input.seed, ex?.outputSha256 ?? '', stdin, Buffer.alloc(0),
      Buffer.alloc(0), event.seq, ex?.capabilityDenials?.length ?? 0,
    );
  if (record.quarantine) {
    h.services.quarantine.add({ moduleName: module.name, wasmSha256: module.wasmSha256, reason: record.quarantine.reason, source: record.quarantine.source, runId: record.runId }, 'guardian');
  }
  if (inputDir) storeInputs(h, record, inputDir);
}

/** The --dir inputs by digest, as the recorder stores them (run_files), checked against the record's listing. */
function storeInputs(h: Harness, record: DecisionRecord, inputDir: string) {
  const insert = h.services.handle.sqlite.prepare('INSERT OR IGNORE INTO run_files (sha256, bytes, content) VALUES (?, ?, ?)');
  for (const d of record.input.dirs ?? []) {
    for (const entry of d.entries ?? []) {
      if (entry.kind !== 'file') continue;
      const content = readFileSync(join(inputDir, entry.path));
      expect(sha256Hex(content)).toBe(entry.sha256);
      insert.run(entry.sha256, content.length, content);
    }
  }
}
