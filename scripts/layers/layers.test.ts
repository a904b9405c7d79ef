/**
 * The layering rules of docs/architecture.md, enforced in `npm test`: the tree itself must pass,
 * and the checker must catch every way of reaching another file (checked on small trees written
 * here, so a checker that silently sees nothing cannot pass).
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findImports } from './imports';
import { checkTree, format, LAYER_DIRS, LAYERS, REPO_ROOT } from './rules';
import { findCycles } from './cycles';

describe('the repository', () => {
  it('has every layer folder the rules name (a renamed layer must not slip past the check)', () => {
    for (const layer of LAYERS) expect(existsSync(join(REPO_ROOT, LAYER_DIRS[layer])), LAYER_DIRS[layer]).toBe(true);
  });

  it('keeps its layers: core reaches only itself, the standard library and its pure packages; nothing imports upwards', () => {
    const violations = checkTree(REPO_ROOT);
    expect(violations.map(format), 'see docs/architecture.md for the rules').toEqual([]);
  });

  it('has no import cycles', () => {
    expect(findCycles(REPO_ROOT)).toEqual([]);
  });
});

describe('the checker', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nc-layers-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  };
  /** file:specifier of every violation, for short assertions. */
  const violations = () => checkTree(root).map((v) => `${v.file}:${v.specifier}`);

  it('sees static imports, type imports, export-from, dynamic import(), require(), import = require and worker URLs', () => {
    write({
      'server/services/x.ts': 'export const x = 1;',
      'server/core/a.ts': [
        "import { x } from '../services/x';",
        "import type { X } from '../services/x';",
        "export { x as y } from '../services/x';",
        "export * from '../services/x';",
        "const later = () => import('../services/x');",
        "const old = require('../services/x');",
        "const resolved = require.resolve('../services/x');",
        "import legacy = require('../services/x');",
        "const worker = new URL('../services/x.ts', import.meta.url);",
        "type T = typeof import('../services/x');",
      ].join('\n'),
    });
    const found = findImports('server/core/a.ts', `${'\n'}import a from 'a';`);
    expect(found).toEqual([{ kind: 'import', specifier: 'a', line: 2, typeOnly: false }]);
    expect(violations()).toEqual([
      'server/core/a.ts:../services/x',
      'server/core/a.ts:../services/x',
      'server/core/a.ts:../services/x',
      'server/core/a.ts:../services/x',
      'server/core/a.ts:../services/x',
      'server/core/a.ts:../services/x',
      'server/core/a.ts:../services/x',
      'server/core/a.ts:../services/x',
      'server/core/a.ts:../services/x.ts',
      'server/core/a.ts:../services/x',
    ]);
  });

  it('refuses a computed import() or require() in any layer: nobody can check where it goes', () => {
    write({ 'server/services/a.ts': 'const name = "x"; export const m = () => import(name); export const r = require(name);' });
    expect(violations()).toEqual(['server/services/a.ts:<computed>', 'server/services/a.ts:<computed>']);
  });

  it('lets only the preparation thread\'s entry import its bundle loader from bin/, and nothing else there', () => {
    write({
      'bin/worker-bundle.mjs': 'export const importWorkerBundle = async () => ({});',
      'bin/cli-inputs.mjs': 'export const x = 1;',
      'server/services/instrument-worker.mjs': "import { importWorkerBundle } from '../../bin/worker-bundle.mjs';\nimport { x } from '../../bin/cli-inputs.mjs';",
      'server/services/other.mjs': "import { importWorkerBundle } from '../../bin/worker-bundle.mjs';",
      'server/core/a.ts': "import { importWorkerBundle } from '../../bin/worker-bundle.mjs';",
    });
    expect(violations()).toEqual([
      'server/core/a.ts:../../bin/worker-bundle.mjs',
      'server/services/instrument-worker.mjs:../../bin/cli-inputs.mjs',
      'server/services/other.mjs:../../bin/worker-bundle.mjs',
    ]);
  });

  it('lets the core use the standard library and its pure packages, and nothing else', () => {
    write({
      'server/core/ok.ts': "import { createHash } from 'node:crypto'; import path from 'path'; import { z } from 'zod'; import { sha256 } from '@noble/hashes/sha2.js'; import semver from 'semver';",
      'server/core/bad.ts': [
        "import { cookies } from 'next/headers';",
        "import { initTRPC } from '@trpc/server';",
        "import { cache } from 'react';",
        "import 'server-only';",
        "import { eq } from 'drizzle-orm';",
        "import Database from 'better-sqlite3';",
      ].join('\n'),
    });
    expect(violations()).toEqual([
      'server/core/bad.ts:next/headers',
      'server/core/bad.ts:@trpc/server',
      'server/core/bad.ts:react',
      'server/core/bad.ts:server-only',
      'server/core/bad.ts:drizzle-orm',
      'server/core/bad.ts:better-sqlite3',
    ]);
  });

  it('refuses process.env in the core, however it is spelled, but not in a comment or a string', () => {
    write({
      'server/core/env.ts': "export const a = process.env.X;\nexport const b = process['env'];\nexport const c = globalThis.process.env;\n// process.env in a comment\nexport const d = 'process.env';",
      'server/services/env.ts': 'export const a = process.env.X;',
    });
    expect(checkTree(root).map((v) => `${v.file}:${v.line}`)).toEqual(['server/core/env.ts:1', 'server/core/env.ts:2', 'server/core/env.ts:3']);
  });

  it('ignores import-like text in comments, strings and templates', () => {
    write({ 'server/core/quiet.ts': "// import x from 'react';\nconst s = \"import('next/headers')\";\nconst t = `require('react')`;\n/* export * from '../services/x' */" });
    expect(violations()).toEqual([]);
  });

  it('lets core tests use their test packages and fixtures, but not production core code', () => {
    write({
      'server/core/wasm/test-wat.ts': "import wabt from 'wabt';",
      'server/core/wasm/a.test.ts': "import { it } from 'vitest'; import { wat } from './test-wat'; const spec = new URL('../../../testdata/spec/', import.meta.url);",
      'server/core/wasm/inspect.ts': "import { it } from 'vitest'; import { wat } from './test-wat';",
    });
    expect(violations()).toEqual(['server/core/wasm/inspect.ts:vitest', 'server/core/wasm/inspect.ts:./test-wat']);
  });

  it('refuses every upward import between layers', () => {
    write({
      'db/schema.ts': "import { x } from '../server/core/result';",
      'server/services/up.ts': "import { appRouter } from '../api/root'; import { auth } from '../auth';",
      'server/api/db.ts': "import { modules } from '../../db/schema';",
      'components/c.tsx': "import { getServices } from '@/server/services/instance'; import { modules } from '@/db/schema'; import { auth } from '@/server/auth/session';",
      'app/page.tsx': "import { getServices } from '@/server/services/instance'; import { openDatabase } from '@/db/client';",
      'server/core/up.ts': "import { x } from '../cli/main';",
    });
    expect(violations().sort()).toEqual(
      [
        'app/page.tsx:@/db/client',
        'app/page.tsx:@/server/services/instance',
        'components/c.tsx:@/db/schema',
        'components/c.tsx:@/server/auth/session',
        'components/c.tsx:@/server/services/instance',
        'db/schema.ts:../server/core/result',
        'server/api/db.ts:../../db/schema',
        'server/core/up.ts:../cli/main',
        'server/services/up.ts:../api/root',
        'server/services/up.ts:../auth',
      ].sort(),
    );
  });

  it('allows the downward imports the architecture describes', () => {
    write({
      'app/page.tsx': "import { pageAccess } from '@/server/api/server-caller'; import { PageHeader } from '@/components/ui/page-header'; import type { Role } from '@/server/core/access/rbac'; import { signOutAction } from '@/server/auth/actions';",
      'components/c.tsx': "import type { AppRouter } from '@/server/api/root'; import { ROLES } from '@/server/core/access/rbac'; import Link from 'next/link';",
      'server/api/r.ts': "import { usersOf } from '../services/users'; import { can } from '../core/access/rbac'; import { getSessionUser } from '../auth/session';",
      'server/services/s.ts': "import { openDatabase } from '../../db/client'; import { ok } from '../core/result';",
      'server/cli/main.ts': "import { openServices } from '../services'; import { openDatabase } from '../../db/client';",
    });
    expect(violations()).toEqual([]);
  });

  it('finds import cycles, type-only ones included', () => {
    write({
      'server/core/module/verify.ts': "import { check } from './signers'; export interface Signer { id: string }",
      'server/core/module/signers.ts': "import type { Signer } from './verify'; export const check = 1;",
      'server/core/module/alone.ts': "import { check } from './signers';",
    });
    expect(findCycles(root)).toEqual([['server/core/module/signers.ts', 'server/core/module/verify.ts']]);
  });
});
