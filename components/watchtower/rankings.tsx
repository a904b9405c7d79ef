/** Top denied rules and riskiest modules: short ranked lists, server-renderable. */
import Link from 'next/link';
import type { TWatchtowerSummary } from '@/server/api/routers/watchtower';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { scoreTone } from './format';

export function TopDeniedRules({ rules }: { rules: TWatchtowerSummary['topDeniedRules'] }) {
  return (
    <Card title="Top denied rules" description="Guardian rules that failed in denied runs." data-testid="top-denied-rules">
      {rules.length === 0 ? (
        <p className="text-sm text-slate-400">No rule denied a run in this window.</p>
      ) : (
        <ol className="space-y-2">
          {rules.map((r) => (
            <li key={`${r.phase}:${r.rule}`} className="flex items-center justify-between gap-3 text-sm" data-testid="denied-rule-row">
              <span className="min-w-0">
                <span className="font-mono text-slate-100">{r.rule}</span> <span className="text-xs text-slate-400">{r.phase === 'pre' ? 'pre-exec' : 'post-exec'}</span>
              </span>
              <span className="tabular-nums text-slate-200">{r.count.toLocaleString('en-US')}</span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

export function RiskyModules({ modules }: { modules: TWatchtowerSummary['riskyModules'] }) {
  return (
    <Card title="Riskiest modules" description="Highest threat score seen in this window." data-testid="risky-modules">
      {modules.length === 0 ? (
        <p className="text-sm text-slate-400">No runs in this window.</p>
      ) : (
        <ol className="space-y-1">
          {modules.map((m) => (
            <li key={m.name} data-testid="risky-module-row">
              <Link
                href={`/modules/${encodeURIComponent(m.name)}`}
                className="flex min-h-11 items-center justify-between gap-3 rounded-md px-2 text-sm hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-400"
              >
                <span className="min-w-0 truncate text-slate-100">{m.name}</span>
                <span className="flex shrink-0 items-center gap-2">
                  <span className="text-xs text-slate-400">{m.runs.toLocaleString('en-US')} runs</span>
                  <Badge tone={scoreTone(m.maxScore)}>score {m.maxScore}</Badge>
                </span>
              </Link>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
