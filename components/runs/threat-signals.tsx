/** The threat score and every signal: fired or not, its weight, what it added, and why. */
import type { ThreatAssessment } from '@/server/core/threat';
import { Badge } from '@/components/ui/badge';
import { BandBadge } from './badges';

export function ThreatSignals({ threat }: { readonly threat: ThreatAssessment }) {
  return (
    <div data-testid="threat-signals">
      <div className="flex flex-wrap items-center gap-2">
        <BandBadge band={threat.band} score={threat.score} />
        <span className="text-sm text-slate-300">score {threat.score} / 100</span>
      </div>
      <ul className="mt-3 flex flex-col divide-y divide-slate-800 rounded-md border border-slate-800">
        {threat.signals.map((s) => (
          <li key={s.id} className="flex flex-col gap-1 px-3 py-2 sm:flex-row sm:items-start sm:gap-3" data-signal={s.id} data-fired={s.fired}>
            <div className="flex shrink-0 flex-wrap items-center gap-2 sm:w-64">
              <Badge tone={s.fired ? 'warn' : 'neutral'}>{s.fired ? `fired +${s.contribution}` : 'not fired'}</Badge>
              <span className="text-sm text-slate-100">{s.label}</span>
              <span className="text-xs text-slate-500">weight {s.weight}</span>
            </div>
            <p className="text-sm text-slate-300">{s.explanation}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
