/** Read-only rendering of the active Guardian policy (server component: no client JS needed). */
import { PRE_RULE_IDS, POST_RULE_IDS } from '@/server/core/guardian';
import type { TActivePolicy } from '@/server/api/routers/policies';
import { Card } from '@/components/ui/card';
import { RuleList } from './rule-list';
import { POST_RULE_TEXT, PRE_RULE_TEXT } from './rule-text';

function Pairs({ entries, testId }: { entries: [string, unknown][]; testId?: string }) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" data-testid={testId}>
      {entries.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="font-mono text-slate-400">{k}</dt>
          <dd className="min-w-0 break-all font-mono tabular-nums text-slate-200">{typeof v === 'number' ? v.toLocaleString('en-US') : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function PolicyView({ active }: { active: TActivePolicy }) {
  const { policy } = active;
  return (
    <div className="space-y-4">
      <Card title={`${policy.name} · revision ${policy.revision}`} description={policy.description || undefined} data-testid="policy-identity">
        <Pairs entries={[['sha256', active.sha256], ['seeded from file', active.path], ['format', policy.format]]} />
        <p className="mt-3 text-sm text-slate-400">
          Default deny: a run is allowed only if at least one rule passed and none failed. Every decision record names this policy&apos;s name, revision and
          sha256. Field meanings: docs/policy-reference.md.
        </p>
      </Card>
      <div className="grid gap-4 md:grid-cols-2">
        <Card title="Limits" description="Caps on what any run is granted (policy ∩ manifest request).">
          <Pairs entries={Object.entries(policy.limits)} testId="policy-limits" />
        </Card>
        <Card title="Capabilities" description="WASI capabilities this policy may grant; nothing else is importable.">
          <p className="font-mono text-sm text-slate-200" data-testid="policy-capabilities">
            {policy.capabilities.length ? policy.capabilities.join(', ') : 'none'}
          </p>
          <p className="mt-3 text-sm text-slate-400">Environment passed through: {policy.env.length ? policy.env.join(', ') : 'none'}</p>
        </Card>
      </div>
      <Card title="Pre-exec rules" description="Checked before the module runs, in this order.">
        <RuleList ids={PRE_RULE_IDS} rules={policy.pre} text={PRE_RULE_TEXT} testId="policy-pre-rules" policyDryRun={policy.dry_run === true} />
      </Card>
      <Card title="Post-exec rules" description="Checked after the run, on its outcome, usage and output.">
        <RuleList ids={POST_RULE_IDS} rules={policy.post} text={POST_RULE_TEXT} testId="policy-post-rules" policyDryRun={policy.dry_run === true} />
      </Card>
      <Card title="Threat scoring" description="score = min(100, sum of the weights of the signals that fired); see docs/threat-scoring.md." data-testid="policy-threat">
        <div className="grid gap-6 md:grid-cols-3">
          <div>
            <h3 className="mb-2 text-sm font-medium text-slate-200">Weights</h3>
            <Pairs entries={Object.entries(policy.threat.weights)} />
          </div>
          <div>
            <h3 className="mb-2 text-sm font-medium text-slate-200">Bands (score from)</h3>
            <Pairs entries={Object.entries(policy.threat.bands)} />
          </div>
          <div>
            <h3 className="mb-2 text-sm font-medium text-slate-200">Settings</h3>
            <Pairs entries={[...Object.entries(policy.threat.settings), ['quarantine_on_post_failure', policy.threat.quarantine_on_post_failure]]} />
          </div>
        </div>
      </Card>
    </div>
  );
}
