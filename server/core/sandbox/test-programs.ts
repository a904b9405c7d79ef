/**
 * Test support (not shipped behaviour): the real programs committed under testdata/programs/wasm,
 * built from source by testdata/programs/build.sh, wrapped in RunRequests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, sha256Hex } from './test-modules';
import type { RunRequest, Invocation } from './types';

const DIR = join(import.meta.dirname, '..', '..', '..', 'testdata', 'programs', 'wasm');

export type ProgramName = 'fileio' | 'sysinfo' | 'reactor' | 'wordcount' | 'timekeeper' | 'abort';

export function program(name: ProgramName): Uint8Array {
  return new Uint8Array(readFileSync(join(DIR, `${name}.wasm`)));
}

/** A command run: argv[0] is the program name, as a shell would pass it. */
export function commandRequest(name: ProgramName, args: readonly string[], over: Partial<RunRequest> = {}): RunRequest {
  const wasm = program(name);
  return request(wasm, { args: [name, ...args], limits: { fuel: 200_000_000, memoryPages: 64 }, ...over });
}

/** A call of one export (after `_initialize` when the module has it). */
export function callRequest(name: ProgramName, exportName: string, invoke: Invocation, over: Partial<RunRequest> = {}): RunRequest {
  const wasm = program(name);
  return { ...request(wasm, { entry: exportName, capabilities: [], limits: { memoryPages: 64 }, ...over }), wasmSha256: sha256Hex(wasm), invoke };
}
