#!/usr/bin/env node
/**
 * Top costs of a V8 .cpuprofile: self time per function and inclusive time per function (a
 * function counted once per sample even when it recurses), as shares of all samples.
 * Usage: node bench/cpu-profile-top.mjs FILE.cpuprofile [rows]
 */
import { readFileSync } from 'node:fs';

const [file, rowsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: cpu-profile-top.mjs FILE.cpuprofile [rows]');
  process.exit(2);
}
const rows = Number(rowsArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(?=[^/]+\/[^/]+$)/, '')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};
const self = new Map();
const inclusive = new Map();
const total = profile.samples.length;
for (const id of profile.samples) {
  const leaf = byId.get(id);
  self.set(name(leaf), (self.get(name(leaf)) ?? 0) + 1);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = name(byId.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + 1);
  }
}
const pct = (x) => `${((100 * x) / total).toFixed(1).padStart(5)} %`;
const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, rows);
console.log(`${total} samples\n\nself:`);
for (const [k, v] of top(self)) console.log(`${pct(v)}  ${k}`);
console.log('\ninclusive:');
for (const [k, v] of top(inclusive)) console.log(`${pct(v)}  ${k}`);
