/** `nightcore backends`: each sandbox backend's declared guarantees, and what this host supports. */
import { GUARANTEE_IDS, GUARANTEE_TITLES } from '../core/sandbox/backend';
import { SHIPPED_BACKENDS } from '../core/sandbox/assurance';
import { probeHostSupport } from '../services/backend-support';
import { resolveBackend } from '../services/config';
import type { Command } from './command';
import { EXIT_OK } from './io';

export const backends: Command = {
  name: 'backends',
  summary: 'what each sandbox backend enforces, and what this host supports',
  usage: 'nightcore backends [--json]',
  options: {},
  optionHelp: {},
  positionals: 0,
  run({ out }) {
    const host = probeHostSupport();
    const configured = resolveBackend();
    out.data({ ok: true, configured, host, backends: SHIPPED_BACKENDS });
    out.line(`configured backend: ${configured} (NIGHTCORE_BACKEND)`);
    out.line(`this host: bubblewrap ${host.bubblewrap ?? 'missing'}, prlimit ${host.prlimit ?? 'missing'}, user namespaces ${host.userNamespaces ? 'work' : 'do not work'}, cgroup v2 controllers ${host.cgroupV2Controllers.length ? host.cgroupV2Controllers.join(' ') : 'none'}`);
    out.line(`process backend: ${host.processBackend.available ? 'available' : 'NOT available'} (${host.processBackend.reason})`);
    for (const b of SHIPPED_BACKENDS) {
      out.line('');
      out.line(`${b.title} (${b.kind})`);
      for (const id of GUARANTEE_IDS) {
        const g = b.guarantees.find((x) => x.id === id)!;
        out.line(`  ${GUARANTEE_TITLES[id]}: ${g.how}`);
        if (g.limits !== '—') out.line(`    limits: ${g.limits}`);
      }
    }
    return EXIT_OK;
  },
};
