/**
 * `migrate [--check]`: upgrade a data folder written by an earlier release (the CLI and the console
 * also do this when they open one), or, with --check, say what that would change and change nothing.
 */
import { resolveDataDir } from '../services/config';
import { planUpgrade } from '../services/upgrade';
import { chainSummary } from '../services/chain-check';
import { optionalString, type Command } from './command';
import { EXIT_OK, reject } from './io';
import { withServices } from './services';

export const migrate: Command = {
  name: 'migrate',
  summary: 'upgrade the data folder to this release (backup first; --check only reports)',
  usage: 'nightcore migrate [--check] [--json]',
  options: { check: { type: 'boolean' } },
  optionHelp: { check: 'report the pending migrations and the audit chain; change nothing (exit 1 when something would change or cannot)' },
  positionals: 0,
  async run({ values, out }) {
    const dataDir = resolveDataDir(optionalString(values, 'data'));
    if (values.check) {
      const plan = planUpgrade(dataDir);
      if (!plan.exists) {
        out.line(`no database in ${dataDir}: opening it creates one at the current schema`);
        out.data({ ok: true, exists: false, pending: plan.pending.map((m) => m.tag) });
        return EXIT_OK;
      }
      if (plan.newer) return reject(out, { code: 'SCHEMA_NEWER', message: plan.newer });
      out.line(`schema: ${plan.schemaVersion}`);
      if (plan.chain) out.line(chainSummary(plan.chain));
      for (const m of plan.pending) {
        out.line(`would apply ${m.tag}:`);
        for (const statement of m.statements) out.line(`  ${statement}`);
      }
      if (plan.chain && !plan.chain.ok) return reject(out, { code: 'CHAIN_BROKEN', message: `an upgrade would be refused: ${chainSummary(plan.chain)}` });
      if (plan.pending.length > 0) {
        out.line(`${plan.pending.length} migration(s) pending; "nightcore migrate" applies them after a backup`);
        out.data({ ok: false, code: 'MIGRATIONS_PENDING', schema: plan.schemaVersion, pending: plan.pending, chain: plan.chain });
        if (!out.json) out.error('rejected: MIGRATIONS_PENDING');
        return 1;
      }
      out.line('up to date: nothing would change');
      out.data({ ok: true, schema: plan.schemaVersion, pending: [], chain: plan.chain });
      return EXIT_OK;
    }
    // Through the services, so the upgrade is recorded in the log (data.migrated) like any other open.
    return withServices(values, (s, report) => {
      if (!report) {
        out.line(`nothing to migrate: ${dataDir} is at ${planUpgrade(dataDir).schemaVersion}`);
        out.data({ ok: true, applied: [] });
        return EXIT_OK;
      }
      out.line(`applied ${report.applied.join(', ')}; ${report.events} events and ${report.checkpoints} checkpoint(s) verified before and after`);
      out.data({ ok: true, ...report });
      return EXIT_OK;
    });
  },
};
