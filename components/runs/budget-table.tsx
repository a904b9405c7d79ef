/** What a run was granted (policy ∩ manifest) against what it used. */
import type { DecisionRecord } from '@/server/core/guardian/decision-record';

const ROWS = [
  { key: 'fuel', label: 'Fuel (instructions)', used: (u: Used) => u.fuel, granted: (l: Limits) => l.fuel },
  { key: 'memory', label: 'Memory (64 KiB pages)', used: (u: Used) => u.peakMemoryPages, granted: (l: Limits) => l.memoryPages },
  { key: 'wall', label: 'Wall clock (ms)', used: (u: Used) => u.wallMs, granted: (l: Limits) => l.wallMs },
  { key: 'output', label: 'Output (bytes)', used: (u: Used) => u.outputBytes, granted: (l: Limits) => l.outputBytes },
] as const;
type Used = NonNullable<DecisionRecord['execution']>['used'];
type Limits = DecisionRecord['granted']['limits'];

export function BudgetTable({ record }: { readonly record: DecisionRecord }) {
  const used = record.execution?.used;
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="budget-table">
        <thead className="text-xs text-slate-400">
          <tr>
            <th scope="col" className="py-2 pr-4 font-medium">Budget</th>
            <th scope="col" className="py-2 pr-4 font-medium">Granted</th>
            <th scope="col" className="py-2 font-medium">Used</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-800">
          {ROWS.map((row) => {
            const granted = row.granted(record.granted.limits);
            const u = used ? row.used(used) : null;
            return (
              <tr key={row.key}>
                <th scope="row" className="py-2 pr-4 font-normal text-slate-300">{row.label}</th>
                <td className="py-2 pr-4 font-mono text-slate-200">{granted.toLocaleString('en-US')}</td>
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
