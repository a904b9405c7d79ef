/** Every stored version: digests (copyable), signers with key names, who imported it and when, size. */
import Link from 'next/link';
import { Time } from '@/components/ui/time';
import type { TModuleDetail } from '@/server/api/routers/module-views';
import { Badge } from '@/components/ui/badge';
import { Digest } from '@/components/runs/digest';
import { QuarantineBadge } from '@/components/runs/badges';
import { SOURCE_LABEL } from '@/server/core/module/sources';

export function VersionsTable({ versions }: { readonly versions: TModuleDetail['versions'] }) {
  return (
    <ul className="flex flex-col divide-y divide-slate-800" data-testid="versions-list">
      {versions.map((v, i) => (
        <li key={v.id} className="flex flex-col gap-2 py-3 first:pt-0" data-testid="versions-row" data-version={v.version}>
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-medium text-slate-100">{v.version}</span>
            {i === 0 ? <Badge tone="info">latest</Badge> : null}
            <Badge tone={v.source === 'submission' ? 'warn' : undefined} data-testid="version-source">{SOURCE_LABEL[v.source]}</Badge>
            <QuarantineBadge quarantined={v.quarantined} />
            <span className="text-sm text-slate-400">{v.sizeBytes.toLocaleString('en-US')} bytes</span>
          </div>
          <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
            <dt className="text-slate-400">Wasm SHA-256</dt>
            <dd><Digest value={v.wasmSha256} label={`wasm digest of ${v.version}`} /></dd>
            <dt className="text-slate-400">Manifest SHA-256</dt>
            <dd><Digest value={v.manifestSha256} label={`manifest digest of ${v.version}`} /></dd>
            {v.submission ? <SubmissionApprovals submission={v.submission} /> : null}
            <dt className="text-slate-400">{v.source === 'submission' ? 'Approval keys' : 'Signed by'}</dt>
            <dd className="flex flex-col gap-1">
              {v.signers.map((s) => (
                <span key={s.keyid} className="text-slate-200">
                  {s.name ?? 'key not in the trust store'}
                  {s.status === 'revoked' ? <Badge tone="bad" className="ml-2">revoked</Badge> : null}{' '}
                  <Digest value={s.keyid} label="key id" />
                </span>
              ))}
            </dd>
            <dt className="text-slate-400">Imported</dt>
            <dd className="text-slate-200">
              <Time iso={v.importedAt} /> by {v.importedBy}
            </dd>
          </dl>
        </li>
      ))}
    </ul>
  );
}

/** An approved submission runs on these signed approvals only; none listed means it does not run now. */
function SubmissionApprovals({ submission }: { readonly submission: NonNullable<TModuleDetail['versions'][number]['submission']> }) {
  return (
    <>
      <dt className="text-slate-400">Submission</dt>
      <dd className="text-slate-200">
        <Link href={`/inbox/${encodeURIComponent(submission.id)}`} className="underline decoration-slate-500 underline-offset-2 hover:text-white">
          {submission.id}
        </Link>{' '}
        ({submission.state})
      </dd>
      <dt className="text-slate-400">Approvals</dt>
      <dd className="flex flex-col gap-1" data-testid="version-approvals">
        {submission.approvals.length === 0 ? <span className="text-amber-300">{submission.detail} It does not run until approved again.</span> : null}
        {submission.approvals.map((a) => (
          <span key={a.keyid} className="text-slate-200" data-testid="version-approval">
            {a.approver}, <Time iso={a.time} />: {a.reason || 'no reason given'}
          </span>
        ))}
      </dd>
    </>
  );
}
