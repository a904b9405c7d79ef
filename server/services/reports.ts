/**
 * Compliance reports (issue 13): the period's figures from the audit log, the chain verified, the
 * proof material, rendered to HTML or PDF (Debian Chromium, headless) and signed with the server
 * key. Every report made is itself audited (`report.generated`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AuditEvent } from '../core/audit/event';
import type { AuditCheckpoint } from '../core/audit/checkpoint';
import { err, ok, type Result } from '../core/result';
import { MAX_LISTED, ReportTally } from '../core/report/tally';
import { REPORT_FORMAT, type ComplianceReport, type ProofMaterial } from '../core/report/model';
import { renderReportHtml } from '../core/report/html';
import { signReport, type ReportSignature } from '../core/report/signature';
import type { ReportPeriod } from '../core/report/period';
import { proveConsistency, verifierKeyOf } from './audit-proofs';
import type { Services } from './index';

export type ReportFormat = 'html' | 'pdf';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'pdf'];
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
/** A PDF of a large period takes Chromium a few seconds; a hung browser must not hang the caller. */
export const PDF_TIMEOUT_MS = 60_000;

export type ReportCode = 'PDF_FAILED' | 'LICENSE_REQUIRED';

type ReportServices = Pick<Services, 'handle' | 'audit' | 'serverKey' | 'witnesses' | 'license'>;

/**
 * Compliance reports are a PRO feature (`compliance_reports`, docs/licensing.md): refused on the
 * server before any work, by the CLI and the console route alike, with a message naming the feature.
 */
export function checkReportLicense(s: Pick<Services, 'license'>): Result<void, 'LICENSE_REQUIRED'> {
  return s.license.require('compliance_reports');
}

const EVENT_COLUMNS = 'seq, time, actor, action, subject, payload, prev_hash AS prevHash, hash';
const CP_COLUMNS = 'seq, hash, time, keyid, signature, root, note';

/** Reads the period's events in seq order and builds the report's data (verifies the whole chain first). */
export async function buildReport(s: ReportServices, period: ReportPeriod, generatedBy: string, now: Date): Promise<ComplianceReport> {
  const chain = await s.audit.verifyAsync();
  const db = s.handle.sqlite;
  const tally = new ReportTally();
  // Paged by seq so no statement stays open across the awaits of a long report.
  const page = db.prepare<[string, string, number], AuditEvent>(`SELECT ${EVENT_COLUMNS} FROM audit_events WHERE time >= ? AND time < ? AND seq > ? ORDER BY seq LIMIT 5000`);
  for (let after = 0; ; ) {
    const rows = page.all(period.from, period.to, after);
    for (const e of rows) tally.add(e);
    if (rows.length < 5000) break;
    after = rows[rows.length - 1]!.seq;
    await new Promise((resolve) => setImmediate(resolve));
  }
  const inPeriod = db.prepare<[string, string], AuditCheckpoint>(`SELECT ${CP_COLUMNS} FROM audit_checkpoints WHERE time >= ? AND time < ? ORDER BY seq`).all(period.from, period.to);
  const before = db
    .prepare<[string], AuditCheckpoint>(`SELECT ${CP_COLUMNS} FROM audit_checkpoints WHERE time < ? AND note IS NOT NULL ORDER BY seq DESC LIMIT 1`)
    .get(period.from);
  const end = [...inPeriod].reverse().find((cp) => typeof cp.note === 'string');
  const proof: ProofMaterial = {
    before: before?.note ? { size: before.seq, note: before.note } : null,
    end: end?.note ? { size: end.seq, note: end.note } : null,
    consistency: null,
    cosignatures: end ? s.witnesses.cosignaturesOf(end.seq).map((c) => ({ witness: c.witness, signedAt: c.signedAt })) : [],
  };
  let consistency: readonly string[] | null = null;
  if (before?.note && end?.note) {
    const proved = proveConsistency(s.audit, before.seq, end.seq);
    if (proved.ok) consistency = proved.value.proof;
  }
  return {
    format: REPORT_FORMAT,
    period,
    generatedAt: now.toISOString(),
    generatedBy,
    log: { origin: s.audit.origin, serverKeyid: s.serverKey.keyid, verifierKey: verifierKeyOf(s.audit, s.serverKey.publicKey) },
    chain: chain.ok
      ? { ok: true, events: chain.events, checkpoints: chain.checkpoints, headSeq: chain.headSeq, uncheckpointed: chain.uncheckpointed }
      : { ok: false, code: chain.code, seq: chain.seq, message: chain.message },
    checkpoints: {
      total: inPeriod.length,
      rows: inPeriod.slice(-MAX_LISTED).map((cp) => ({ seq: cp.seq, time: cp.time, keyid: cp.keyid, root: cp.root ?? null })),
    },
    proof: { ...proof, consistency },
    facts: tally.facts(),
  };
}

/**
 * Prints HTML to PDF with headless Chromium: a throwaway profile and folder, no network needed (the
 * report loads nothing), no header or footer (they would carry the temp path). Scripts are refused by
 * the report's own CSP (default-src 'none'); Chromium's scriptEnabled=false switch cannot be used,
 * because headless printing then writes no PDF at all.
 */
export function htmlToPdf(html: string, chromium: string, timeoutMs = PDF_TIMEOUT_MS): Promise<Result<Uint8Array, 'PDF_FAILED'>> {
  const dir = mkdtempSync(join(tmpdir(), 'nightcore-report-'));
  const input = join(dir, 'report.html');
  const output = join(dir, 'report.pdf');
  writeFileSync(input, html, { mode: 0o600 });
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions',
    `--user-data-dir=${join(dir, 'profile')}`, '--no-pdf-header-footer', `--print-to-pdf=${output}`, pathToFileURL(input).href,
  ];
  return new Promise((resolve) => {
    execFile(chromium, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 }, (error, _stdout, stderr) => {
      try {
        let pdf: Buffer | undefined;
        try {
          pdf = readFileSync(output);
        } catch {
          pdf = undefined;
        }
        if (error && !pdf?.length) {
          const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${chromium} not found (install Debian's chromium or set NIGHTCORE_CHROMIUM)` : `${error.message.split('\n')[0]}${stderr ? `: ${String(stderr).trim().split('\n').slice(-1)[0]}` : ''}`;
          resolve(err('PDF_FAILED', `could not print the report to PDF: ${why}`));
          return;
        }
        if (!pdf || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
          resolve(err('PDF_FAILED', 'Chromium wrote no PDF'));
          return;
        }
        resolve(ok(new Uint8Array(pdf)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

export interface ProducedReport {
  readonly report: ComplianceReport;
  readonly bytes: Uint8Array;
  readonly signature: ReportSignature;
}

export interface ProduceOptions {
  readonly period: ReportPeriod;
  readonly format: ReportFormat;
  readonly actor: string;
  readonly chromium?: string;
  readonly now?: () => Date;
}

/** Builds, renders, signs and audits one report. Nothing is recorded for a report that failed to render. */
export async function produceReport(s: ReportServices, options: ProduceOptions): Promise<Result<ProducedReport, ReportCode>> {
  const licensed = checkReportLicense(s);
  if (!licensed.ok) return licensed;
  const now = options.now ?? (() => new Date());
  const report = await buildReport(s, options.period, options.actor, now());
  const html = renderReportHtml(report);
  let bytes: Uint8Array = new TextEncoder().encode(html);
  if (options.format === 'pdf') {
    const pdf = await htmlToPdf(html, options.chromium ?? DEFAULT_CHROMIUM);
    if (!pdf.ok) return pdf;
    bytes = pdf.value;
  }
  const signature = signReport(bytes, s.serverKey, now());
  s.audit.append({
    actor: options.actor,
    action: 'report.generated',
    subject: 'report',
    payload: { from: options.period.from, to: options.period.to, format: options.format, sha256: signature.sha256, events: report.facts.events, chainOk: report.chain.ok },
  });
  return ok({ report, bytes, signature });
}
