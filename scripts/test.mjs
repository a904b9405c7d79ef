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

/** Installs a Debian package the tests need when it is missing (as root with apt), else says how. */
function ensureDebianTool(path, pkg, why) {
  if (existsSync(path)) return;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(`✖ ${why} need ${path}: install it (apt-get install -y ${pkg})`);
    process.exit(1);
  }
  step(`install ${pkg} (apt-get)`, 'sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg} >/dev/null`]);
}

const node = process.execPath;
// The process backend's tests run real bubblewrap jails.
ensureDebianTool('/usr/bin/bwrap', 'bubblewrap', 'the process backend tests');
// The completion scripts are checked by the shells themselves (server/cli/ergonomics.test.ts).
ensureDebianTool('/usr/bin/zsh', 'zsh', 'the zsh completion test');
ensureDebianTool('/usr/bin/fish', 'fish', 'the fish completion test');
step('type-check (tsc --noEmit)', node, ['node_modules/typescript/bin/tsc', '--noEmit']);
step('unit and integration tests (vitest)', node, ['node_modules/vitest/vitest.mjs', 'run']);

const specs = existsSync('e2e') ? readdirSync('e2e').filter((f) => f.endsWith('.spec.ts')) : [];
if (specs.length > 0) {
  const chromium = process.env.NIGHTCORE_CHROMIUM ?? '/usr/bin/chromium';
  if (chromium === '/usr/bin/chromium') ensureDebianTool(chromium, 'chromium', 'end-to-end tests');
  else if (!existsSync(chromium)) {
    console.error(`✖ end-to-end tests need Chromium at ${chromium} (NIGHTCORE_CHROMIUM)`);
    process.exit(1);
  }
  step('build the console (next build)', node, ['node_modules/next/dist/bin/next', 'build']);
  step('end-to-end tests (playwright)', node, ['node_modules/@playwright/test/cli.js', 'test'], { NIGHTCORE_CHROMIUM: chromium });
}
console.log('\n✔ all checks passed');
