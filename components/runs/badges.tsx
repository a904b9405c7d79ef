/** Status badges for runs and modules. Colour is never the only signal: each badge says its state in words. */
import { Badge, type BadgeTone } from '@/components/ui/badge';

const BAND_TONE: Record<string, BadgeTone> = { low: 'good', medium: 'warn', high: 'bad', quarantine: 'bad' };

export function BandBadge({ band, score }: { readonly band: string | null | undefined; readonly score?: number | null }) {
  if (!band) return <Badge tone="neutral">threat unknown</Badge>;
  return (
    <Badge tone={BAND_TONE[band] ?? 'neutral'} data-testid="threat-band">
      threat {band}
      {score !== undefined && score !== null ? ` · ${score}` : ''}
    </Badge>
  );
}

export function DecisionBadge({ decision }: { readonly decision: string }) {
  return (
    <Badge tone={decision === 'allow' ? 'good' : 'bad'} data-testid="decision-badge">
      {decision === 'allow' ? 'allowed' : 'denied'}
    </Badge>
  );
}

const OUTCOME_TONE: Record<string, BadgeTone> = { ok: 'good', denied: 'neutral', trap: 'bad', crashed: 'bad', out_of_fuel: 'warn', timeout: 'warn', memory_limit: 'warn' };

export function OutcomeBadge({ outcome }: { readonly outcome: string }) {
  return (
    <Badge tone={OUTCOME_TONE[outcome] ?? 'neutral'} data-testid="outcome-badge">
      {outcome === 'denied' ? 'not run' : outcome.replaceAll('_', ' ')}
    </Badge>
  );
}

const RULE_BADGE: Record<'pass' | 'fail' | 'skip' | 'would_fail', { tone: BadgeTone; text: string }> = {
  pass: { tone: 'good', text: 'passed' },
  fail: { tone: 'bad', text: 'failed' },
  skip: { tone: 'neutral', text: 'skipped' },
  // Not enforced: amber, never red, so nobody reads it as the reason for a deny.
  would_fail: { tone: 'warn', text: 'would fail (dry-run)' },
};

export function RuleBadge({ outcome, dryRun }: { readonly outcome: 'pass' | 'fail' | 'skip' | 'would_fail'; readonly dryRun?: boolean }) {
  const b = RULE_BADGE[outcome];
  return (
    <Badge tone={b.tone}>
      {b.text}
      {dryRun && outcome !== 'would_fail' ? ' (dry-run)' : ''}
    </Badge>
  );
}

export function QuarantineBadge({ quarantined }: { readonly quarantined: boolean }) {
  return quarantined ? (
    <Badge tone="bad" data-testid="quarantine-badge">
      quarantined
    </Badge>
  ) : null;
}
