/**
 * `nightcore report` writes a signed compliance report for a period (HTML or PDF) and
 * `nightcore report verify` checks one against the server's public key. The console's download
 * goes through the same produceReport (server/services/reports.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePeriod } from '../core/report/period';
import { verifyReport } from '../core/report/signature';
import { parsePublicKeyFile } from '../core/crypto/keys';
import { verifyEd25519 } from '../core/crypto/ed25519';
import { produceReport, REPORT_FORMATS, type ReportFormat } from '../services/reports';
import { resolveChromium, resolveDataDir } from '../services/config';
import { loadOrCreateServerKey, SERVER_KEY_FILE } from '../services/server-key';
import type { Command } from './command';
import { optionalString, requireString } from './command';
import { EXIT_OK, UsageError, cliActor, reject } from './io';
import { withServices } from './services';

export const report: Command = {
  name: 'report',
  summary: 'write a signed compliance report for a period (HTML or PDF) and its .sig',
  usage: 'nightcore report --from 2026-11-01 --to 2026-12-01 --format html|pdf --out FILE',
  options: { from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } },
  optionHelp: {
    from: 'start of the period, inclusive: a date (midnight UTC) or a UTC time',
    to: 'end of the period, exclusive (--to 2026-12-01 covers all of November)',
    format: 'html (default) or pdf (printed by headless Chromium: $NIGHTCORE_CHROMIUM or /usr/bin/chromium)',
    out: 'new file for the report; FILE.sig gets its detached signature (neither is overwritten)',
  },
  positionals: 0,
  async run({ values, out }) {
    const period = parsePeriod(requireString(values, 'from'), requireString(values, 'to'));
    if (!period.ok) throw new UsageError(period.message);
    const format = (optionalString(values, 'format') ?? 'html') as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be html or pdf, not "${format}"`);
    const file = requireString(values, 'out');
    // Checked before any work: a report never replaces an earlier one (it may be evidence).
    for (const f of [file, `${file}.sig`]) if (existsSync(f)) throw new UsageError(`${f} already exists; choose a new --out`);
    return withServices(values, async (s) => {
      const made = await produceReport(s, { period: period.value, format, actor: cliActor(), chromium: resolveChromium() });
      if (!made.ok) return reject(out, made);
      writeFileSync(file, made.value.bytes, { flag: 'wx', mode: 0o644 });
      writeFileSync(`${file}.sig`, `${JSON.stringify(made.value.signature, null, 2)}\n`, { flag: 'wx', mode: 0o644 });
      const { facts, chain } = made.value.report;
      out.line(`report ${period.value.from} to ${period.value.to} written to ${file} (${made.value.bytes.length} bytes, sha256 ${made.value.signature.sha256})`);
      out.line(`signature: ${file}.sig (server key ${made.value.signature.keyid.slice(0, 16)}); check it with: nightcore report verify ${file}`);
      out.line(`${facts.events} events, ${facts.runs.total} runs (${facts.runs.allow} allowed, ${facts.runs.deny} denied); audit chain ${chain.ok ? 'intact' : `BROKEN at seq ${chain.seq}`}`);
      out.data({ ok: true, file, signature: `${file}.sig`, sha256: made.value.signature.sha256, bytes: made.value.bytes.length, events: facts.events, runs: facts.runs, chainOk: chain.ok });
      return EXIT_OK;
    });
  },
};

export const reportVerify: Command = {
  name: 'report verify',
  summary: "check a report file against its detached signature and the server's public key",
  usage: 'nightcore report verify FILE [--sig FILE.sig] [--key server.pub]',
  options: { sig: { type: 'string' }, key: { type: 'string' } },
  optionHelp: {
    sig: 'the signature file (default: FILE.sig)',
    key: "the server's public key (nightcore server-key --out F); default: this data folder's server key",
  },
  positionals: 1,
  run({ values, positionals, out }) {
    const file = positionals[0]!;
    const sigFile = optionalString(values, 'sig') ?? `${file}.sig`;
    const keyFile = optionalString(values, 'key');
    let publicKey: Uint8Array;
    if (keyFile) {
      const parsed = parsePublicKeyFile(readFileSync(keyFile, 'utf8'));
      if (!parsed.ok) throw new UsageError(`${keyFile}: ${parsed.message}`);
      publicKey = parsed.value;
    } else {
      const dataDir = resolveDataDir(optionalString(values, 'data'));
      // Verification must never create a key: with no key there is nothing to check against.
      if (!existsSync(join(dataDir, SERVER_KEY_FILE))) throw new UsageError(`no server key in ${dataDir}: pass --key server.pub`);
      publicKey = loadOrCreateServerKey(dataDir).publicKey;
    }
    const result = verifyReport(new Uint8Array(readFileSync(file)), readFileSync(sigFile, 'utf8'), publicKey, verifyEd25519);
    if (!result.ok) return reject(out, result);
    out.line(`report verified: ${file} (sha256 ${result.value.sha256}) signed by server key ${result.value.keyid.slice(0, 16)} at ${result.value.signedAt}`);
    out.data({ ok: true, sha256: result.value.sha256, keyid: result.value.keyid, signedAt: result.value.signedAt });
    return EXIT_OK;
  },
};

export const REPORT_COMMANDS: readonly Command[] = [report, reportVerify];
