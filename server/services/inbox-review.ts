/**
 * The evidence a person needs to decide one submission, in one object: who submitted it and why,
 * the dry-run pre-exec verdict with every rule, the threat score with every signal, what it asks
 * for, the diff against the last approved version of the same name, the policy revision that will
 * apply, and where the quorum stands. Nothing here runs the module or records anything.
 */
import { tableElementsOf } from '../core/module/manifest';
import { eq } from 'drizzle-orm';
import { agents, users } from '../../db/schema';
import { assess, ReportCache } from '../core/run/assess';
import { NO_APPROVALS, type Reverification, type StoredModule, type TrustedModules } from '../core/run';
import { parseManifestText } from '../core/module/verify';
import type { TManifest } from '../core/module/manifest';
import { inspectWasm } from '../core/wasm/inspect';
import type { Verdict } from '../core/guardian/verdict';
import type { ThreatAssessment } from '../core/threat';
import type { Services } from './index';
import { RunHistory } from './run-history';
import type { SubmissionView } from './inbox';

export interface SetDiff {
  readonly added: string[];
  readonly removed: string[];
}

export interface Review {
  readonly submission: SubmissionView;
  readonly agent: { readonly name: string; readonly owner: string };
  readonly manifest: TManifest | null;
  readonly imports: string[];
  readonly policy: { readonly name: string; readonly revision: number };
  readonly dryRun: Verdict | null;
  readonly threat: ThreatAssessment | null;
  readonly diff: { readonly against: { readonly id: string; readonly version: string } | null; readonly imports: SetDiff; readonly capabilities: SetDiff; /** A limit absent on one side (an optional limit such as tableElements) is null: the policy's cap applies. */
    readonly limits: { key: string; before: number | null; after: number | null }[] };
}

const importsOf = (wasm: Uint8Array): string[] => {
  const r = inspectWasm(wasm);
  return r.ok ? r.value.imports.map((i) => `${i.module}.${i.name}`) : [];
};
const manifestOf = (json: string): TManifest | null => {
  const m = parseManifestText(json);
  return m.ok ? m.value : null;
};
const setDiff = (before: readonly string[], after: readonly string[]): SetDiff => ({
  added: after.filter((x) => !before.includes(x)),
  removed: before.filter((x) => !after.includes(x)),
});

/** A limit as it applies: a table cap left out means the default. */
const limitOf = (m: TManifest, k: keyof TManifest['limits']): number => (k === 'tableElements' ? tableElementsOf(m.limits) : m.limits[k]);

/** A submission is trusted only as far as a signed bundle with the very same manifest is; otherwise it is unsigned. */
function trustFor(s: Services, manifest: TManifest | null): TrustedModules {
  return {
    reverify(module: StoredModule): Reverification {
      const stored = manifest ? s.modules.find(manifest.name, manifest.version) : undefined;
      if (stored && stored.wasmSha256 === module.wasmSha256 && stored.manifestSha256 === module.manifestSha256) return s.modules.reverify(stored);
      return { ok: false, code: 'UNTRUSTED_KEY', message: 'Submitted by an agent: no trusted publisher has signed this exact module and manifest.', manifest, signers: [], legacy: null };
    },
  };
}

export function reviewOf(s: Services, id: string): Review | undefined {
  const submission = s.inbox.get(id);
  const wasm = s.inbox.wasmOf(id);
  if (!submission || !wasm) return undefined;
  const agent = s.handle.db.select({ name: agents.name }).from(agents).where(eq(agents.id, submission.agentId)).get();
  const owner = s.handle.db.select({ username: users.username }).from(users).where(eq(users.id, submission.ownerUserId)).get();
  const manifest = manifestOf(submission.manifestJson);
  const policy = s.policy.policy;
  const module: StoredModule = {
    id: 0,
    name: submission.name,
    version: submission.version,
    tenant: manifest?.tenant ?? 'default',
    wasmSha256: submission.wasmSha256,
    manifestSha256: submission.manifestSha256,
    sizeBytes: submission.sizeBytes,
    wasm,
    source: 'inbox',
    manifestJson: submission.manifestJson,
    envelopeJson: '',
  };
  const assessed = assess(
    // Approval is what is being decided: the dry run shows approval_required as it stands (not yet).
    { policy: () => s.policy, modules: trustFor(s, manifest), history: new RunHistory(s.handle.sqlite), approvals: NO_APPROVALS, backendKind: () => s.backendKind() },
    new ReportCache(1),
    module,
    'inbox:review',
  );
  const imports = importsOf(wasm);
  const previous = s.inbox.lastApproved(submission.name, submission.createdAt);
  const before = previous && previous.id !== submission.id ? previous : undefined;
  const beforeManifest = before ? manifestOf(before.manifestJson) : null;
  const beforeWasm = before ? s.inbox.wasmOf(before.id) : undefined;
  const limitKeys = manifest ? (Object.keys(manifest.limits) as (keyof TManifest['limits'])[]) : [];
  return {
    submission,
    agent: { name: agent?.name ?? '(deleted agent)', owner: owner?.username ?? '(deleted user)' },
    manifest,
    imports,
    policy: { name: policy.name, revision: policy.revision },
    dryRun: assessed.ok ? assessed.value.pre : null,
    threat: assessed.ok ? assessed.value.threat : null,
    diff: {
      against: before ? { id: before.id, version: before.version } : null,
      imports: setDiff(beforeWasm ? importsOf(beforeWasm) : [], imports),
      capabilities: setDiff(beforeManifest?.capabilities ?? [], manifest?.capabilities ?? []),
      limits: beforeManifest && manifest ? limitKeys.filter((k) => limitOf(beforeManifest, k) !== limitOf(manifest, k)).map((k) => ({ key: k, before: limitOf(beforeManifest, k), after: limitOf(manifest, k) })) : [],
    },
  };
}
