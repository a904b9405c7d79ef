/** `license show|install`: the edition in force and installing a vendor-signed license file (docs/licensing.md). */
import { readFileSync, statSync } from 'node:fs';
import { FEATURE_TEXT, FEATURES, MAX_LICENSE_FILE_BYTES, type Entitlement } from '../core/license';
import type { Services } from '../services/index';
import type { Command } from './command';
import { EXIT_OK, cliActor, reject, type Out } from './io';
import { withServices } from './services';

export interface LicenseCommandDeps {
  readonly withServices: <T>(values: Parameters<typeof withServices>[0], fn: (s: Services) => T | Promise<T>) => Promise<T>;
  readonly actor: () => string;
}

const DEFAULT_DEPS: LicenseCommandDeps = { withServices, actor: cliActor };

function describe(out: Out, e: Entitlement, testKeyAccepted: boolean): void {
  out.line(e.detail);
  if (e.license) {
    const l = e.license;
    out.line(`  license:   ${l.id} for ${l.licensee} (${l.edition})`);
    out.line(`  valid:     ${l.issued} to ${l.expires} (${e.state.replace(/_/g, ' ')})`);
    out.line(`  seats:     ${l.seats}`);
    out.line(`  signed by: ${l.keyid}${l.testKey ? ' (TEST vendor key)' : ''}`);
    if (l.unknownFeatures.length > 0) out.line(`  features this version does not know (ignored): ${l.unknownFeatures.join(', ')}`);
  }
  out.line(`enabled users allowed: ${e.seats}`);
  out.line('PRO features:');
  for (const f of FEATURES) out.line(`  ${e.features.includes(f) ? 'on ' : 'off'}  ${f.padEnd(22)} ${FEATURE_TEXT[f]}`);
  if (testKeyAccepted) out.line('NON-PRODUCTION: licenses signed by the test vendor key (NIGHTCORE_LICENSE_TEST_KEY) are accepted here.');
}

export function createLicenseCommands(deps: LicenseCommandDeps = DEFAULT_DEPS) {
  const licenseShow: Command = {
    name: 'license show',
    summary: 'show the edition in force, the installed license and which PRO features are on',
    usage: 'nightcore license show [--json]',
    options: {},
    optionHelp: {},
    positionals: 0,
    run({ values, out }) {
      return deps.withServices(values, (s) => {
        const e = s.license.entitlement();
        out.data({ ok: true, ...e, testKeyAccepted: s.license.acceptsTestKey });
        describe(out, e, s.license.acceptsTestKey);
        return EXIT_OK;
      });
    },
  };

  const licenseInstall: Command = {
    name: 'license install',
    summary: 'install a license file signed by the Night Core vendor (verified offline)',
    usage: 'nightcore license install <file> [--json]',
    options: {},
    optionHelp: {},
    positionals: 1,
    run({ values, positionals, out }) {
      const file = positionals[0]!;
      // Read no more than a license can be: a wrong path to a large file must not be loaded whole.
      if (statSync(file).size > MAX_LICENSE_FILE_BYTES) {
        return reject(out, { code: 'LICENSE_INVALID', message: `${file} is larger than ${MAX_LICENSE_FILE_BYTES} bytes; it is not a license file` });
      }
      const text = readFileSync(file, 'utf8');
      return deps.withServices(values, (s) => {
        const installed = s.license.install(text, deps.actor());
        if (!installed.ok) return reject(out, installed);
        out.data({ ok: true, ...installed.value });
        out.line('installed.');
        describe(out, installed.value, s.license.acceptsTestKey);
        return EXIT_OK;
      });
    },
  };

  return { licenseShow, licenseInstall };
}

export const LICENSE_COMMANDS: readonly Command[] = Object.values(createLicenseCommands());
