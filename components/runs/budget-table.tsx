/** What a run was granted (policy ∩ manifest) against what it used, and which side set each limit. */
import type { DecisionRecord } from '@/server/core/guardian/decision-record';
import { limitSource } from './limit-source';

const ROWS = [
  { key: 'fuel', label: 'Fuel (instructions)', used: (u: Used) => u.fuel },
  { key: 'memoryPages', label: 'Memory (64 KiB pages)', used: (u: Used) => u.peakMemoryPages },
  { key: 'wallMs', label: 'Wall clock (ms)', used: (u: Used) => u.wallMs },
  { key: 'outputBytes', label: 'Output (bytes)', used: (u: Used) => u.outputBytes },
] as const satisfies readonly { key: keyof Limits; label: string; used: (u: Used) => number }[];
type Used = NonNullable<DecisionRecord['execution']>['used'];
type Limits = DecisionRecord['granted']['limits'];

export function BudgetTable({ record }: { readonly record: DecisionRecord }) {
  const used = record.execution?.used;
  const sources = record.granted.limitSources;
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="budget-table">
        <thead className="text-xs text-slate-400">
          <tr>
            <th scope="col" className="py-2 pr-4 font-medium">Budget</th>
            <th scope="col" className="py-2 pr-4 font-medium">Granted</th>
            <th scope="col" className="py-2 pr-4 font-medium">Set by</th>
            <th scope="col" className="py-2 font-medium">Used</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-800">
          {ROWS.map((row) => {
            const granted = record.granted.limits[row.key];
            const u = used ? row.used(used) : null;
            const source = sources ? limitSource({ requested: sources.requested[row.key], policy: sources.policy[row.key] }) : null;
            return (
              <tr key={row.key} data-testid="budget-row" data-limit={row.key} data-source={source?.from ?? 'unknown'}>
                <th scope="row" className="py-2 pr-4 font-normal text-slate-300">{row.label}</th>
                <td className="py-2 pr-4 font-mono text-slate-200">{granted.toLocaleString('en-US')}</td>
                <td className="py-2 pr-4 text-slate-300" data-testid="budget-source">
                  {source ? source.text : <span className="text-slate-400">not recorded (an older run)</span>}
                </td>
                <td className="py-2 font-mono text-slate-200">
                  {u === null ? (
                    'not run'
                  ) : (
                    <>
                      {u.toLocaleString('en-US')}
                      {granted > 0 ? <span className="block text-xs text-slate-400">{Math.round((u / granted) * 100)}% of granted</span> : null}
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
