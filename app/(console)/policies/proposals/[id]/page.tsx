import { notFound } from 'next/navigation';
import { pageAccess } from '@/server/api/server-caller';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';
import { Card } from '@/components/ui/card';
import { Badge } from '@/components/ui/badge';
import { ChangesTable } from '@/components/policies/changes-table';
import { DecisionPanel } from '@/components/inbox/decision-panel';
import { ProposalSimulation } from '@/components/policies/proposal-simulation';

export const metadata = { title: 'Policy proposal' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** One policy proposal: what it changes (each field tighter or weaker), its approvals, and the signing panel for approvers. */
export default async function ProposalPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { user, allows, api } = await pageAccess(`/policies/proposals/${encodeURIComponent(id)}`);
  if (!allows('policies.read')) {
    return <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot read policies (policies.read). Ask an admin.`} />;
  }
  if (!UUID.test(id)) notFound();
  const view = await api.policies.proposal({ id }).catch(() => null);
  if (!view) notFound();
  const p = view.proposal;
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <PageHeader title="Policy proposal" description="A change that weakens enforcement. It applies only when the quorum of the policy in force signs it; the proposer never counts." />
      <Card title={`Against revision ${p.baseRevision}${p.restoreOf ? ` · restores r${p.restoreOf}` : ''}`} data-testid="proposal-summary">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <Badge tone={p.state === 'pending' ? 'warn' : p.state === 'applied' ? 'good' : 'neutral'} data-testid="proposal-state">
            {p.state}
          </Badge>
          <span className="text-slate-300">
            by {p.proposer} · {p.createdAt} · expires {p.expiresAt}
          </span>
        </div>
        <p className="mt-2 text-sm text-slate-200">{p.reason}</p>
        {p.detail ? <p className="mt-1 text-sm text-slate-400">{p.detail}</p> : null}
      </Card>
      <Card title="What changes" description="Every changed field, classified in the core (anything not provably tighter counts as weaker).">
        <ChangesTable changes={p.changes} testId="proposal-changes" />
        <details className="mt-3 text-xs text-slate-400">
          <summary className="cursor-pointer">Candidate policy (sha256 {p.candidateSha256.slice(0, 16)}…)</summary>
          <pre className="mt-2 max-h-80 overflow-auto whitespace-pre-wrap break-all">{p.candidateJson}</pre>
        </details>
      </Card>
      <Card title="What it would change" description="The candidate judged against recorded runs, before anyone approves it: which decisions flip, which rules cause it, which modules are affected.">
        <ProposalSimulation candidateJson={p.candidateJson} />
      </Card>
      <Card title="Approvals" description={`Quorum: ${view.quorum.rule}`} data-testid="proposal-quorum">
        <p className="text-sm text-slate-200" data-testid="proposal-quorum-detail">
          {view.quorum.detail}
        </p>
        <ul className="mt-2 text-sm text-slate-300">
          {view.quorum.decisions.map((d) => (
            <li key={`${d.username}-${d.time}`}>
              {d.username}: {d.decision} at {d.time} — {d.reason}
            </li>
          ))}
        </ul>
      </Card>
      {allows('inbox.decide') ? (
        <Card title="Your decision" description={view.you.why ?? undefined}>
          {view.you.mayDecide || view.you.why === 'Register your approval key first.' ? (
            <DecisionPanel id={p.id} username={user.username} fields={view.statement} registered={view.you.keyids} target="policy proposal" />
          ) : null}
        </Card>
      ) : null}
    </div>
  );
}
