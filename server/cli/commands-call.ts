/**
 * `call`: invoke one exported function with typed arguments, through the same governed path as
 * `run` (verify → pre-exec → sandbox → post-exec → decision record), after `_initialize` for a
 * reactor. Arguments are parsed against the export's signature before anything runs, so a wrong
 * count, an out-of-range number or a NaN payload is a usage error that records nothing.
 */
import type { Command } from './command';
import { EXIT_OK, EXIT_REJECTED, cliActor, reject } from './io';
import { withServices } from './services';
import { parseSeed, printRecord, resolveModule } from './commands-runs';
import { optionalString } from './command';
import { exportSignatures } from '../core/wasm/export-signatures';
import { parseCallArgs } from '../core/sandbox/call-args';

export const call: Command = {
  name: 'call',
  summary: 'call one exported function with typed i32/i64/f32/f64 arguments and print its results',
  usage: 'nightcore call <bundle|module-name[@version]> <export> [--json] [--seed N] [--policy FILE] [--] [args...]   (put -- before negative numbers)',
  options: { seed: { type: 'string' }, policy: { type: 'string' } },
  optionHelp: {
    seed: 'seed of the deterministic random source (default: random, recorded)',
    policy: 'Guardian policy file (default: $NIGHTCORE_POLICY or policies/default.json)',
  },
  positionals: [2, 66],
  run({ values, positionals, out }) {
    const seed = parseSeed(optionalString(values, 'seed'));
    const [target, exportName, ...args] = positionals as [string, string, ...string[]];
    return withServices(values, async (s) => {
      const module = resolveModule(s, target);
      if (!module.ok) return reject(out, module);
      const signatures = exportSignatures(module.value.wasm);
      if (!signatures.ok) return reject(out, signatures);
      const invocation = parseCallArgs(signatures.value, exportName, args);
      if (!invocation.ok) return reject(out, invocation);
      const result = await s.governor.run(module.value, { seed, call: { export: exportName, ...invocation.value } }, cliActor());
      if (!result.ok) return reject(out, result);
      const { record, stdout, stderr } = result.value;
      const returned = record.execution?.returnValues;
      const okRun = record.decision === 'allow' && record.execution?.outcome.kind === 'ok' && returned !== undefined;
      if (out.json) {
        const released = record.decision === 'allow';
        out.data({
          ok: okRun,
          results: okRun ? returned : null,
          record,
          stdout: released ? Buffer.from(stdout).toString('utf8') : '',
          stderr: released ? Buffer.from(stderr).toString('utf8') : '',
        });
      } else {
        // Results and anything the module wrote are released only with an allow decision; the
        // module's own output goes to stderr so stdout carries exactly one result per line.
        if (record.decision === 'allow') {
          process.stderr.write(stdout);
          process.stderr.write(stderr);
        }
        if (okRun) for (const v of returned) out.line(`${v.value} (${v.type})`);
        printRecord((t) => out.error(t), record);
      }
      return okRun ? EXIT_OK : EXIT_REJECTED;
    }, { runsModule: true });
  },
};
