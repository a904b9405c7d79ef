/** Top denied rules and riskiest modules: short ranked lists, server-renderable. */
import Link from 'next/link';
import type { TWatchtowerSummary } from '@/server/api/routers/watchtower';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { runsLink, scoreTone } from './format';

/** `since`: the window's start, so a click opens the runs the number counted. */
export function TopDeniedRules({ rules, since }: { rules: TWatchtowerSummary['topDeniedRules']; since: string }) {
  return (
    <Card title="Top denied rules" description="Guardian rules that failed in denied runs." data-testid="top-denied-rules">
      {rules.length === 0 ? (
        <p className="text-sm text-slate-400">No rule denied a run in this window.</p>
      ) : (
        <ol className="space-y-2">
          {rules.map((r) => (
            <li key={`${r.phase}:${r.rule}`} data-testid="denied-rule-row">
              <Link
                href={runsLink({ rule: r.rule, since })}
                className="flex min-h-11 items-center justify-between gap-3 rounded-md px-2 text-sm hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-400"
              >
                <span className="min-w-0 break-all">
                  <span className="font-mono text-slate-100">{r.rule}</span> <span className="text-xs text-slate-400">{r.phase === 'pre' ? 'pre-exec' : 'post-exec'}</span>
                </span>
                <span className="tabular-nums text-slate-200">
                  {r.count.toLocaleString('en-US')} <span className="sr-only">{r.count === 1 ? 'run' : 'runs'}</span>
                </span>
              </Link>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

export function RiskyModules({ modules, since }: { modules: TWatchtowerSummary['riskyModules']; since: string }) {
  return (
    <Card title="Riskiest modules" description="Highest threat score seen in this window." data-testid="risky-modules">
      {modules.length === 0 ? (
        <p className="text-sm text-slate-400">No runs in this window.</p>
      ) : (
        <ol className="space-y-1">
          {modules.map((m) => (
            <li key={m.name} data-testid="risky-module-row">
              <Link
                href={runsLink({ module: m.name, since })}
                className="flex min-h-11 items-center justify-between gap-3 rounded-md px-2 text-sm hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-400"
              >
                <span className="min-w-0 break-all text-slate-100">{m.name}</span>
                <span className="flex shrink-0 items-center gap-2">
                  <span className="text-xs text-slate-400">{m.runs.toLocaleString('en-US')} {m.runs === 1 ? 'run' : 'runs'}</span>
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
