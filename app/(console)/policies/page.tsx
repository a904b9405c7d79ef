import Link from 'next/link';
import { pageAccess } from '@/server/api/server-caller';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';
import { Card } from '@/components/ui/card';
import { Badge } from '@/components/ui/badge';
import { PolicyView } from '@/components/policies/policy-view';
import { PolicyEditor } from '@/components/policies/policy-editor';
import { ChangesTable } from '@/components/policies/changes-table';
import { RestoreButton } from '@/components/policies/restore-button';
import { SimulationPanel } from '@/components/policies/simulation-panel';
import { RecommendationsPanel } from '@/components/policies/recommendations-panel';

export const metadata = { title: 'Policies' };

/**
 * The Guardian policy in force (the newest revision in the database), its history with classified
 * diffs, open proposals, and for admins the editor: a tightening applies at once, a weakening
 * becomes a proposal that approvers sign.
 */
export default async function PoliciesPage() {
  const { user, allows, api } = await pageAccess('/policies');
  if (!allows('policies.read')) {
    return <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot read policies (policies.read). Ask an admin.`} />;
  }
  const [active, { revisions, proposals }] = await Promise.all([api.policies.active(), api.policies.history()]);
  const current = revisions.find((r) => r.revision === active.revision);
  const open = proposals.filter((p) => p.state === 'pending');
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <PageHeader title="Policies" description="The Guardian Lock policy every run is judged by right now, how it got here, and changes waiting for approval." />
      {active.notice ? <ErrorState title="The configured policy file is not in force" message={active.notice} /> : null}
      <Card title="Proposals" description="Changes that weaken enforcement wait here for signed approvals by quorum." data-testid="policy-proposals">
        {proposals.length === 0 ? (
          <p className="text-sm text-slate-500">No proposals.</p>
        ) : (
          <ul className="divide-y divide-slate-800 text-sm">
            {proposals.slice(0, 20).map((p) => (
              <li key={p.id} className="flex flex-wrap items-center gap-2 py-2" data-proposal={p.id} data-state={p.state}>
                <Badge tone={p.state === 'pending' ? 'warn' : p.state === 'applied' ? 'good' : 'neutral'}>{p.state}</Badge>
                <Link className="font-mono text-xs underline" href={`/policies/proposals/${p.id}`}>
                  {p.id.slice(0, 8)}
                </Link>
                <span className="text-slate-300">
                  against r{p.baseRevision}
                  {p.restoreOf ? `, restores r${p.restoreOf}` : ''} by {p.proposer}: {p.reason}
                </span>
              </li>
            ))}
          </ul>
        )}
        {open.length > 0 ? <p className="mt-2 text-xs text-slate-400">{open.length} waiting for a decision.</p> : null}
      </Card>
      <PolicyView active={active} />
      <SimulationPanel initialPolicy={JSON.stringify(active.policy, null, 2)} />
      <RecommendationsPanel />
      {allows('policies.manage') && current ? (
        <Card title="Change the policy" description="Validated on the server, field by field. Tightening applies at once (audited); weakening needs approval.">
          <PolicyEditor initial={current.policyJson} />
        </Card>
      ) : null}
      <Card title="History" description="Every revision: who, when, why, and each change marked tighter or weaker." data-testid="policy-history">
        <ol className="space-y-4">
          {revisions.map((r) => (
            <li key={r.revision} className="space-y-2" data-revision={r.revision}>
              <div className="flex flex-wrap items-center gap-2 text-sm">
                <span className="font-mono text-slate-200">r{r.revision}</span>
                <Badge tone={r.revision === active.revision ? 'good' : 'neutral'}>{r.revision === active.revision ? 'in force' : r.source}</Badge>
                <span className="text-slate-400">
                  {r.createdAt} · {r.actor} · {r.reason}
                </span>
              </div>
              {r.changes.length > 0 ? <ChangesTable changes={r.changes} /> : null}
              <details className="text-xs text-slate-400">
                <summary className="cursor-pointer">Policy text (sha256 {r.sha256.slice(0, 16)}…)</summary>
                <pre className="mt-2 max-h-80 overflow-auto whitespace-pre-wrap break-all">{r.policyJson}</pre>
              </details>
              {allows('policies.manage') && r.revision !== active.revision ? <RestoreButton revision={r.revision} /> : null}
            </li>
          ))}
        </ol>
      </Card>
    </div>
  );
}
