/**
 * The sandbox request, built from exactly what was granted and given. The same builder serves a new
 * run and a replay (from the decision record), so a replay cannot drift from what really ran.
 */
import type { RunRequest } from '../sandbox/types';
import type { DecisionRecord } from '../guardian/decision-record';
import type { StoredModule } from './ports';
import { valueFromRecord } from '../sandbox/call-args';
import type { Invocation, Preopen, WasmValue } from '../sandbox/types';

/** The typed invocation of a recorded call; a value the record cannot have written fails loudly. */
function invocationOf(recorded: NonNullable<Given['invocation']>): Invocation {
  const args = recorded.args.map((r): WasmValue => {
    const v = valueFromRecord(r);
    if (v === null) throw new Error(`recorded call argument ${JSON.stringify(r)} is not a ${r.type}`);
    return v;
  });
  return { args, results: recorded.results };
}

type Granted = DecisionRecord['granted'];
type Given = DecisionRecord['input'];

export function sandboxRequest(module: StoredModule, granted: Granted, input: Given, stdin: Uint8Array, dirs: readonly Preopen[] = []): RunRequest {
  return {
    wasmSha256: module.wasmSha256,
    wasm: module.wasm,
    entry: input.entry,
    // argv[0] is the module's name, as a shell would pass the program name.
    args: [module.name, ...input.args],
    env: input.env,
    stdin,
    seed: BigInt(input.seed),
    capabilities: granted.capabilities,
    limits: granted.limits,
    ...(input.invocation ? { invoke: invocationOf(input.invocation) } : {}),
    ...(dirs.length > 0 ? { preopens: dirs } : {}),
    ...(module.source === 'bundle' || module.source === 'legacy' ? { provenance: { source: module.source, manifest: module.manifestJson, envelope: module.envelopeJson } } : {}),
  };
}

/** The recorded request of a decided run, for replay. */
export function recordedRequest(record: DecisionRecord, module: StoredModule, stdin: Uint8Array, dirs: readonly Preopen[] = []): RunRequest {
  return sandboxRequest(module, record.granted, record.input, stdin, dirs);
}
