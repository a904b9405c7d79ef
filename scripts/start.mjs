#!/usr/bin/env node
// `npm start`: builds the console when the build is missing or older than the sources, then serves
// it on $PORT (default 3000) with the embedded SQLite database in $NIGHTCORE_DATA (default ./data).
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = ['app', 'components', 'server', 'db', 'policies', 'public', 'next.config.mjs', 'proxy.ts', 'instrumentation.ts', 'tsconfig.json', 'package-lock.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const next = 'node_modules/next/dist/bin/next';
const stamp = '.next/BUILD_ID';
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (built < Math.max(...SOURCES.map(newestMtime))) {
  console.log('Building the console (first start or sources changed)…');
  const build = spawnSync(process.execPath, [next, 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const port = process.env.PORT ?? '3000';
// Run next directly (not through npx) so stopping this process stops the server too.
const server = spawn(process.execPath, [next, 'start', '-p', port], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
