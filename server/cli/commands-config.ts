/**
 * `nightcore config check`: every setting validated as the console does at start, the effective
 * configuration with where each value came from (default, env, file), secrets masked. Exit 1 when
 * the console would refuse to start. NIGHTCORE_TRUSTED_PROXIES is parsed by the console's own
 * parser at start (it lives in server/auth, above the CLI); here it is shown, not parsed.
 */
import { checkConfig, problemText } from '../services/config-check';
import { resolveDataDir } from '../services/config';
import { optionalString, type Command } from './command';
import { EXIT_OK, EXIT_REJECTED } from './io';

export const configCheck: Command = {
  name: 'config check',
  summary: 'validate every setting and print the effective configuration (source of each value, secrets masked)',
  usage: 'nightcore config check [--json]',
  options: {},
  optionHelp: {},
  positionals: 0,
  run({ values, out }) {
    const dataDir = resolveDataDir(optionalString(values, 'data'));
    const report = checkConfig(process.env, { dataDir });
    const width = Math.max(...report.settings.map((s) => s.name.length));
    for (const s of report.settings) out.line(`${s.name.padEnd(width)}  ${s.source.padEnd(7)}  ${s.value}`);
    const errors = report.problems.filter((p) => p.severity === 'error');
    for (const p of report.problems) out.error(`${p.severity}: ${problemText(p)}`);
    out.line(errors.length === 0 ? `configuration valid${report.problems.length ? ` (${report.problems.length} warning(s))` : ''}` : `configuration INVALID: ${errors.length} error(s); the console will not start`);
    out.data({ ok: errors.length === 0, settings: report.settings, problems: report.problems });
    return errors.length === 0 ? EXIT_OK : EXIT_REJECTED;
  },
};
