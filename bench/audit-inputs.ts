/** The audit benches' events: a realistic run decision (digests, ids, a few numbers, a nested verdict). */
import type { AuditEventInput } from '../server/core/audit/event';

export function benchInput(i: number): AuditEventInput {
  return {
    actor: `user:${i % 17}@example.com`,
    action: 'run.decided',
    subject: `module:hello-${i % 50}@1.${i % 7}.0`,
    payload: {
      runId: i,
      wasmSha256: 'a3f1c9'.padEnd(64, String(i % 10)),
      decision: i % 9 === 0 ? 'deny' : 'allow',
      budget: { fuel: 1_000_000, memoryPages: 16, wallMs: 2000 },
      used: { fuel: (i * 7919) % 1_000_000, memoryPages: 3, wallMs: 12.5 },
      rules: [{ id: 'signed-by-trusted-key', outcome: 'pass' }, { id: 'threat-score', outcome: 'pass', score: i % 40 }],
    },
  };
}
