#!/usr/bin/env node
// `npm test`: the one command that runs every check: type-check, unit and integration tests
// (vitest), then the browser end-to-end tests (Playwright on Debian's chromium) once e2e specs exist.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

function step(title, command, args, env = {}) {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`\n✖ ${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

const node = process.execPath;
step('type-check (tsc --noEmit)', node, ['node_modules/typescript/bin/tsc', '--noEmit']);
step('unit and integration tests (vitest)', node, ['node_modules/vitest/vitest.mjs', 'run']);

const specs = existsSync('e2e') ? readdirSync('e2e').filter((f) => f.endsWith('.spec.ts')) : [];
if (specs.length > 0) {
  const chromium = process.env.NIGHTCORE_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
    if (!canInstall) {
      console.error(`✖ end-to-end tests need Chromium at ${chromium}: install it (apt-get install -y chromium) or set NIGHTCORE_CHROMIUM`);
      process.exit(1);
    }
    step('install chromium (apt-get)', 'sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null']);
  }
  step('build the console (next build)', node, ['node_modules/next/dist/bin/next', 'build']);
  step('end-to-end tests (playwright)', node, ['node_modules/@playwright/test/cli.js', 'test'], { NIGHTCORE_CHROMIUM: chromium });
}
console.log('\n✔ all checks passed');
