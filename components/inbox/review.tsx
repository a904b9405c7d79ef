/**
 * The review page's evidence, on one screen that stacks on a phone: who and why, the dry-run verdict
 * with every rule, the threat score with every signal, what it asks for, what changed since the last
 * approved version, and where the quorum stands. Everything a module or an agent wrote is rendered
 * as text (React escapes it); nothing is injected as HTML.
 */
import type { TReview } from '@/server/api/routers/inbox';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Time } from '@/components/ui/time';

const OUTCOME_TONE: Record<string, BadgeTone> = { pass: 'good', fail: 'bad', skip: 'neutral' };
export const STATE_TONE: Record<string, BadgeTone> = { pending: 'info', approved: 'good', rejected: 'bad', expired: 'warn', withdrawn: 'neutral' };

function Changes({ label, added, removed }: { label: string; added: readonly string[]; removed: readonly string[] }) {
  if (added.length === 0 && removed.length === 0) return <li>{label}: no change</li>;
  return (
    <li>
      {label}: {added.map((a) => <span key={`+${a}`} className="mr-2 text-amber-300">+{a}</span>)}
      {removed.map((r) => <span key={`-${r}`} className="mr-2 text-slate-400">−{r}</span>)}
    </li>
  );
}

export function ReviewEvidence({ review }: { review: TReview }) {
  const { submission: s, manifest, dryRun, threat, diff, quorum } = review;
  return (
    <div className="space-y-4">
      <Card title={`${s.name}@${s.version}`} actions={<Badge tone={STATE_TONE[s.state]}>{s.state}</Badge>}>
        <dl className="grid grid-cols-1 gap-2 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-400">Submitted by</dt>
          <dd>agent {review.agent.name}, owned by {review.agent.owner}</dd>
          <dt className="text-slate-400">Purpose</dt>
          <dd className="whitespace-pre-wrap break-words">{s.purpose}</dd>
          <dt className="text-slate-400">Received</dt>
          <dd><Time iso={s.createdAt} /> · expires <Time iso={s.expiresAt} /></dd>
          <dt className="text-slate-400">Policy</dt>
          <dd>{review.policy.name} revision {review.policy.revision}</dd>
          <dt className="text-slate-400">wasm SHA-256</dt>
          <dd className="break-all font-mono text-xs">{s.wasmSha256}</dd>
        </dl>
      </Card>
      <Card title="Dry run (pre-exec)" description={dryRun ? dryRun.summary : 'The module could not be assessed.'}>
        <ul className="space-y-2 text-sm">
          {dryRun?.rules.map((r) => (
            <li key={r.id} className="flex flex-col gap-1 sm:flex-row sm:items-start sm:gap-3">
              <Badge tone={OUTCOME_TONE[r.outcome] ?? 'neutral'}>{r.outcome}</Badge>
              <span><span className="font-mono text-xs">{r.id}</span> — {r.explanation}</span>
            </li>
          ))}
        </ul>
      </Card>
      <Card title={`Threat score ${threat?.score ?? '?'} (${threat?.band ?? 'unknown'})`}>
        <ul className="space-y-1 text-sm">
          {threat?.signals.filter((x) => x.fired).map((x) => <li key={x.id}>+{x.contribution} {x.label}: {x.explanation}</li>)}
          {threat && threat.signals.every((x) => !x.fired) ? <li>No signal fired.</li> : null}
        </ul>
      </Card>
      <Card title="Requested">
        <ul className="space-y-1 text-sm">
          <li>Capabilities: {manifest?.capabilities.join(', ') || 'none'}</li>
          <li>Limits: {manifest ? Object.entries(manifest.limits).map(([k, v]) => `${k} ${v}`).join(', ') : 'unknown'}</li>
          <li className="break-words">Imports: {review.imports.join(', ') || 'none'}</li>
        </ul>
      </Card>
      <Card title="Changes" description={diff.against ? `Against the last approved version, ${diff.against.version}.` : 'No earlier approved version of this name: everything is new.'}>
        <ul className="space-y-1 text-sm">
          <Changes label="Imports" {...diff.imports} />
          <Changes label="Capabilities" {...diff.capabilities} />
          {diff.limits.map((l) => <li key={l.key}>Limit {l.key}: {l.before} → {l.after}</li>)}
        </ul>
      </Card>
      <Card title="Approvals" description={`Needed: ${quorum.rule}. ${quorum.detail}`}>
        <ul className="space-y-1 text-sm">
          {quorum.decisions.map((d) => (
            <li key={`${d.username}${d.time}`}>
              {d.username} signed {d.decision === 'approve' ? 'an approval' : 'a rejection'} (<Time iso={d.time} />): {d.reason}
            </li>
          ))}
          {quorum.decisions.length === 0 ? <li>No signed decision yet.</li> : null}
        </ul>
      </Card>
    </div>
  );
}
