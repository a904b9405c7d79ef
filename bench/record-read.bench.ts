/**
 * What reading a decision record through its schema costs (parseDecisionRecord: JSON.parse, then
 * ZDecisionRecordSchema, which accepts every published version) against JSON.parse alone, the cast
 * readers used before. Real records of every version in testdata/records, each read N times,
 * interleaved in rounds so load changes hit both alike.
 *
 * Run: node bin/run-ts.mjs bench/record-read.bench.ts [reads per version]
 * Writes bench/results/record-read.json and bench/results/record-read.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDecisionRecord } from '../server/core/guardian/decision-record-schema';
import { RECORD_VERSIONS, recordsOf, storedText } from '../server/core/guardian/test-records';

const READS = Number(process.argv[2] ?? 20_000);
const ROUNDS = 5;
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const rows: { version: string; bytes: number; parseUs: number; schemaUs: number; ratio: number }[] = [];
for (const version of RECORD_VERSIONS) {
  const texts = recordsOf(version).decided.map((e) => storedText(e.payload));
  const bytes = Math.round(texts.reduce((n, t) => n + t.length, 0) / texts.length);
  const parse: number[] = [];
  const schema: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let t = performance.now();
    for (let i = 0; i < READS; i++) JSON.parse(texts[i % texts.length]!);
    parse.push(((performance.now() - t) * 1000) / READS);
    t = performance.now();
    for (let i = 0; i < READS; i++) if (!parseDecisionRecord(texts[i % texts.length]!).ok) throw new Error(`${version}: a record does not read`);
    schema.push(((performance.now() - t) * 1000) / READS);
  }
  const parseUs = Number(median(parse).toFixed(1));
  const schemaUs = Number(median(schema).toFixed(1));
  rows.push({ version, bytes, parseUs, schemaUs, ratio: Number((schemaUs / parseUs).toFixed(2)) });
  console.log(version, `${bytes} bytes: JSON.parse ${parseUs} us, through the schema ${schemaUs} us`);
}

const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, os: `${platform()} ${release()}`, loadavg: loadavg().map((x) => Number(x.toFixed(1))) };
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'record-read.json'), `${JSON.stringify({ reads: READS, rounds: ROUNDS, machine, rows }, null, 2)}\n`);
writeFileSync(
  join(resultsDir, 'record-read.md'),
  [
    '# Reading a decision record through its schema',
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}; load average ${machine.loadavg.join(' / ')} at the end.`,
    `Each version's real records (testdata/records) read ${READS.toLocaleString('en')} times per round, median of ${ROUNDS} rounds, both ways in every round.`,
    '',
    '| written by | record size | JSON.parse | parseDecisionRecord | ratio |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.version} | ${r.bytes.toLocaleString('en')} bytes | ${r.parseUs} µs | ${r.schemaUs} µs | ${r.ratio}x |`),
    '',
    'Where it is paid: one record per run page, `runs show` and replay; every record of the window for recommendations and for the',
    "simulation's full-record path (the shipped simulation reads the compact facts instead, docs/simulation.md).",
    '',
  ].join('\n'),
);
