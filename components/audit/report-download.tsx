'use client';
/**
 * The compliance report download: a plain same-origin GET form (no script needed). The server
 * builds, signs and audits the report and answers a .zip with the report and its .sig. The default
 * period is the previous calendar month (UTC); `to` is exclusive.
 */
const FIELD = 'min-h-11 rounded-md border border-slate-700 bg-slate-950 px-3 text-sm text-slate-100';
const BUTTON =
  'inline-flex min-h-11 items-center justify-center rounded-md border border-slate-700 bg-slate-900 px-4 text-sm font-medium text-slate-100 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-slate-400';

export function previousMonth(now: Date): { from: string; to: string } {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

export function ReportDownload() {
  const period = previousMonth(new Date());
  return (
    <form method="get" action="/api/reports" className="flex flex-wrap items-end gap-3" data-testid="report-form">
      <label className="flex flex-col gap-1 text-sm text-slate-300">
        From (UTC, inclusive)
        <input type="date" name="from" required defaultValue={period.from} className={FIELD} />
      </label>
      <label className="flex flex-col gap-1 text-sm text-slate-300">
        To (UTC, exclusive)
        <input type="date" name="to" required defaultValue={period.to} className={FIELD} />
      </label>
      <label className="flex flex-col gap-1 text-sm text-slate-300">
        Format
        <select name="format" defaultValue="pdf" className={FIELD}>
          <option value="pdf">PDF</option>
          <option value="html">HTML</option>
        </select>
      </label>
      <button type="submit" className={BUTTON}>
        Download signed report
      </button>
    </form>
  );
}
