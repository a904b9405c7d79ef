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

export function RuleBadge({ outcome }: { readonly outcome: 'pass' | 'fail' | 'skip' }) {
  const tone: BadgeTone = outcome === 'pass' ? 'good' : outcome === 'fail' ? 'bad' : 'neutral';
  return <Badge tone={tone}>{outcome === 'pass' ? 'passed' : outcome === 'fail' ? 'failed' : 'skipped'}</Badge>;
}

export function QuarantineBadge({ quarantined }: { readonly quarantined: boolean }) {
  return quarantined ? (
    <Badge tone="bad" data-testid="quarantine-badge">
      quarantined
    </Badge>
  ) : null;
}
