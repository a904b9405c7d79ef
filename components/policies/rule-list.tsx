/** Every known rule of one phase, in evaluation order: configured ones with severity and settings, the rest marked as not enabled. */
import { Badge, type BadgeTone } from '@/components/ui/badge';

const SEVERITY_TONE: Record<string, BadgeTone> = { critical: 'bad', high: 'warn', medium: 'info', low: 'neutral' };

/** Settings are shown as text (policy text is data, never markup). */
function settingText(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '[] (none)' : value.map((v) => String(v)).join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function RuleList({
  ids,
  rules,
  text,
  testId,
  policyDryRun = false,
}: {
  policyDryRun?: boolean;
  ids: readonly string[];
  rules: Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;
  text: Readonly<Record<string, string>>;
  testId: string;
}) {
  return (
    <ul className="divide-y divide-slate-800" data-testid={testId}>
      {ids.map((id) => {
        const rule = rules[id];
        const settings = rule ? Object.entries(rule).filter(([k]) => k !== 'severity' && k !== 'dry_run') : [];
        const dryRun = rule !== undefined && (policyDryRun || rule.dry_run === true);
        return (
          <li key={id} className="py-3" data-testid="policy-rule-row">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-mono text-sm text-slate-50">{id}</span>
              {rule ? <Badge tone={SEVERITY_TONE[String(rule.severity)] ?? 'neutral'}>{String(rule.severity)}</Badge> : <Badge>not enabled: listed as skipped</Badge>}
              {dryRun ? (
                <Badge tone="warn" data-testid="rule-dry-run">
                  dry-run: recorded, never blocks
                </Badge>
              ) : null}
            </div>
            <p className="mt-1 text-sm text-slate-400">Passes when: {text[id] ?? '—'}</p>
            {settings.length > 0 ? (
              <dl className="mt-2 grid grid-cols-1 gap-x-3 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
                {settings.map(([k, v]) => (
                  <div key={k} className="contents">
                    <dt className="font-mono text-slate-400">{k}</dt>
                    <dd className="min-w-0 break-all font-mono text-slate-200">{settingText(v)}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
