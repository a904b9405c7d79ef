/** What the inspector found in the wasm binary, without running it: imports, exports, memory, sections. */
import type { WasmReport } from '@/server/core/wasm/report';
import { countOf } from '@/components/ui/count';

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export function InspectorReport({ report }: { readonly report: WasmReport }) {
  return (
    <div className="grid gap-6 lg:grid-cols-2" data-testid="inspector-report">
      <section>
        <h3 className="text-sm font-semibold text-slate-200">Imports ({report.imports.length})</h3>
        {report.imports.length === 0 ? (
          <p className="mt-1 text-sm text-slate-400">None: the module asks the host for nothing.</p>
        ) : (
          <ul className="mt-1 flex flex-col gap-1">
            {report.imports.map((i, n) => (
              <li key={n} className="break-all font-mono text-xs text-slate-200">
                {i.module}.{i.name} <span className="text-slate-500">({i.kind})</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h3 className="text-sm font-semibold text-slate-200">Exports ({report.exports.length})</h3>
        <ul className="mt-1 flex flex-col gap-1">
          {report.exports.map((e) => (
            <li key={`${e.kind}-${e.name}`} className="break-all font-mono text-xs text-slate-200">
              {e.name} <span className="text-slate-500">({e.kind})</span>
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h3 className="text-sm font-semibold text-slate-200">Memory</h3>
        {report.memories.length === 0 ? (
          <p className="mt-1 text-sm text-slate-400">No linear memory.</p>
        ) : (
          <ul className="mt-1 flex flex-col gap-1 text-sm text-slate-200">
            {report.memories.map((m, n) => (
              <li key={n}>
                {countOf(m.initialPages, 'page')} initially, maximum {m.maximumPages ?? 'not declared'}
                {m.imported ? ', imported' : ''}
                {m.shared ? ', shared' : ''}
                {m.memory64 ? ', 64-bit' : ''}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h3 className="text-sm font-semibold text-slate-200">Sections</h3>
        <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-400">Size</dt>
          <dd className="text-slate-200">{kib(report.sizeBytes)} (code {kib(report.codeSizeBytes)}, data {kib(report.dataSizeBytes)} in {countOf(report.dataSegmentCount, 'segment')})</dd>
          <dt className="text-slate-400">Functions</dt>
          <dd className="text-slate-200">{report.functionCount} defined, {report.importedFunctionCount} imported</dd>
          <dt className="text-slate-400">Start function</dt>
          <dd className="text-slate-200">{report.startFunction === null ? 'none' : `yes (function ${report.startFunction}): runs on load`}</dd>
          <dt className="text-slate-400">Tables / globals</dt>
          <dd className="text-slate-200">{report.tables.length} / {report.globalCount}</dd>
          <dt className="text-slate-400">Custom sections</dt>
          <dd className="break-all text-slate-200">
            {report.customSections.length === 0 ? 'none' : report.customSections.map((c) => `${c.name} (${c.sizeBytes} B)`).join(', ')}
            {report.customSectionTotals.count > report.customSections.length
              ? ` and ${report.customSectionTotals.count - report.customSections.length} more (${report.customSectionTotals.sizeBytes} B in all)`
              : ''}
          </dd>
        </dl>
      </section>
    </div>
  );
}
