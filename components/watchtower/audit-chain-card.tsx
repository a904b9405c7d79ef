/** Is the log intact? Head, latest signed checkpoint and the last recorded verification. */
import Link from 'next/link';
import type { TWatchtowerSummary } from '@/server/api/routers/watchtower';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { shortHash } from './format';
import { Time } from '@/components/ui/time';

export function AuditChainCard({ audit }: { audit: TWatchtowerSummary['audit'] }) {
  const v = audit.lastVerification;
  const verdict = !v ? (
    <Badge tone="warn">not verified yet</Badge>
  ) : v.ok === true ? (
    <Badge tone="good">intact</Badge>
  ) : v.ok === false ? (
    <Badge tone="bad">broken{v.code ? `: ${v.code}` : ''}</Badge>
  ) : (
    <Badge tone="warn">result unreadable</Badge>
  );
  return (
    <Card title="Audit chain" description="Hash-chained, append-only; checkpoints are signed by the server key." data-testid="audit-chain-card">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="text-slate-400">Head</dt>
        <dd className="min-w-0 break-all font-mono text-slate-200" data-testid="audit-head">
          #{audit.headSeq} <span className="text-slate-400">{shortHash(audit.headHash)}</span>
        </dd>
        <dt className="text-slate-400">Checkpoint</dt>
        <dd className="text-slate-200">{audit.checkpoint ? <>#{audit.checkpoint.seq.toLocaleString('en-US')}, <Time iso={audit.checkpoint.time} /></> : 'none yet'}</dd>
        <dt className="text-slate-400">Verified</dt>
        <dd className="flex flex-wrap items-center gap-2 text-slate-200" data-testid="audit-verification">
          {verdict}
          {v ? <span className="text-xs text-slate-400"><Time iso={v.time} />{` by ${v.actor}${v.events !== null ? ` · ${v.events.toLocaleString('en-US')} events` : ''}`}</span> : null}
        </dd>
      </dl>
      <Link href="/audit" className="mt-4 inline-flex min-h-11 items-center text-sm text-indigo-300 underline-offset-4 hover:underline">
        Open the audit log to verify the chain
      </Link>
    </Card>
  );
}
