/**
 * Test support (not shipped behaviour): the official WASI preview1 conformance suite as committed in
 * testdata/wasi-testsuite (see its PROVENANCE.md): every prebuilt test with its spec (args, env,
 * root folder, expected exit code and output). Shared by the sandbox-level and governor-level runs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SUITE = join(__dirname, '../../../testdata/wasi-testsuite/tests');
const LANGS = ['assemblyscript', 'c', 'rust'];

export interface WasiSuiteSpec {
  readonly args?: string[];
  readonly env?: Record<string, string>;
  readonly root?: string;
  readonly exit_code?: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

export interface WasiSuiteCase {
  readonly name: string;
  readonly dir: string;
  readonly file: string;
  readonly spec: WasiSuiteSpec;
}

export const WASI_SUITE_CASES: readonly WasiSuiteCase[] = LANGS.flatMap((lang) => {
  const dir = join(SUITE, lang, 'testsuite', 'wasm32-wasip1');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.wasm'))
    .sort()
    .map((file) => {
      const specPath = join(dir, file.replace(/\.wasm$/, '.json'));
      const spec: WasiSuiteSpec = existsSync(specPath) ? JSON.parse(readFileSync(specPath, 'utf8')) : {};
      return { name: `${lang}/${file.slice(0, -5)}`, dir, file, spec };
    });
});
