/**
 * The compliance report as one self-contained HTML document (no scripts, no external resources,
 * a CSP that forbids both), printable to PDF by headless Chromium. Everything that comes from the
 * log (module names, actors, reasons, policy names) passes through esc(): a hostile module name is
 * text, never markup.
 */
import type { ComplianceReport } from './model';
import type { ReportRow, RowList } from './tally';

export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const n = (v: number): string => v.toLocaleString('en-US');

function table(head: readonly string[], rows: readonly (readonly unknown[])[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function counts(record: Readonly<Record<string, number>>, label: string, empty: string): string {
  const rows = Object.entries(record).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return table([label, 'count'], rows.map(([k, v]) => [k, n(v)]), empty);
}

function eventList(list: RowList, empty: string, actorLabel = 'by'): string {
  const more = list.total > list.rows.length ? `<p class="note">${n(list.rows.length)} of ${n(list.total)} listed; the audit export has them all.</p>` : '';
  return table(['seq', 'time (UTC)', actorLabel, 'event', 'subject', 'detail'], list.rows.map((r: ReportRow) => [r.seq, r.time, r.actor, r.action, r.subject, r.detail]), empty) + more;
}

const STYLE = `
body{font:10.5pt/1.4 system-ui,sans-serif;color:#111;margin:24px}
h1{font-size:18pt;margin:0 0 4px}h2{font-size:13pt;margin:22px 0 6px;border-bottom:1px solid #999}
h3{font-size:11pt;margin:14px 0 4px}
table{border-collapse:collapse;width:100%;margin:4px 0 8px;font-size:9pt}
th,td{border:1px solid #bbb;padding:2px 5px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#eee;white-space:nowrap}.empty,.note{color:#444;font-style:italic}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:8pt;background:#f4f4f4;padding:6px}
.bad{color:#a00;font-weight:bold}.good{color:#060;font-weight:bold}
`;

export function renderReportHtml(r: ComplianceReport): string {
  const f = r.facts;
  const chain = r.chain.ok
    ? `<p class="good">Chain intact: ${n(r.chain.events)} events re-hashed, ${n(r.chain.checkpoints)} signed checkpoints verified (head seq ${n(r.chain.headSeq)}; ${n(r.chain.uncheckpointed)} events after the last checkpoint).</p>`
    : `<p class="bad">Chain BROKEN at seq ${esc(r.chain.seq)}: ${esc(r.chain.code)}: ${esc(r.chain.message)}. The figures below come from a log that failed verification.</p>`;
  const p = r.proof;
  const proof = [
    p.before ? `<h3>Signed tree head before the period (size ${n(p.before.size)})</h3><pre>${esc(p.before.note)}</pre>` : '<p class="note">No signed tree head before the period: the log starts inside it.</p>',
    p.end ? `<h3>Newest signed tree head in the period (size ${n(p.end.size)})</h3><pre>${esc(p.end.note)}</pre>` : '<p class="note">No checkpoint was signed during the period.</p>',
    p.consistency ? `<h3>Consistency proof (RFC 9162) from size ${n(p.before!.size)} to ${n(p.end!.size)}</h3><pre>${esc(p.consistency.join('\n') || '(empty: the sizes are equal)')}</pre>` : '',
    p.cosignatures.length ? `<h3>Witness cosignatures of the newest tree head</h3>${table(['witness', 'signed at (unix)'], p.cosignatures.map((c) => [c.witness, c.signedAt]), '')}` : '',
  ].join('\n');
  const cps = table(['seq', 'time (UTC)', 'key id', 'tree root'], r.checkpoints.rows.map((c) => [c.seq, c.time, c.keyid.slice(0, 16), c.root ?? '(before the Merkle tree)']), 'No checkpoints in the period.');
  const cpsMore = r.checkpoints.total > r.checkpoints.rows.length ? `<p class="note">${n(r.checkpoints.rows.length)} of ${n(r.checkpoints.total)} checkpoints listed.</p>` : '';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Night Core compliance report ${esc(r.period.from)} to ${esc(r.period.to)}</title>
<style>${STYLE}</style></head><body>
<h1>Night Core compliance report</h1>
<p>Period: <strong>${esc(r.period.from)}</strong> (inclusive) to <strong>${esc(r.period.to)}</strong> (exclusive), UTC.<br>
Generated ${esc(r.generatedAt)} by ${esc(r.generatedBy)}. Log ${esc(r.log.origin)}, server key ${esc(r.log.serverKeyid)}.<br>
Format ${esc(r.format)}.</p>
<p class="note">This report summarises what Night Core's audit log recorded in the period. It is evidence for an assessment; it is not a certification, an attestation or a statement of compliance with any standard.</p>

<h2>Summary</h2>
${table(['figure', 'value'], [
    ['audit events in the period', n(f.events)],
    ['first and last sequence number', f.firstSeq === null ? '—' : `${f.firstSeq} to ${f.lastSeq}`],
    ['governed runs decided', n(f.runs.total)],
    ['allowed', n(f.runs.allow)],
    ['denied', n(f.runs.deny)],
    ['runs interrupted by a restart', n(f.runs.interrupted)],
    ['modules quarantined', n(f.quarantines.total)],
    ['quarantine releases', n(f.releases.total)],
    ['key changes', n(f.keyChanges.total)],
    ['policy changes', n(f.policyChanges.total)],
    ['user, role and agent changes', n(f.accessChanges.total)],
    ['sign-ins (succeeded / failed)', `${n(f.signIns.succeeded)} / ${n(f.signIns.failed)}`],
    ['audit chain', r.chain.ok ? 'intact' : `broken at seq ${r.chain.seq}`],
  ], '')}

<h2>1. Change management</h2>
<h3>Policy revisions and who approved them</h3>
${eventList(f.policyChanges, 'No policy changes in the period.')}
<h3>Key changes (trust store, server key, approval keys)</h3>
${eventList(f.keyChanges, 'No key changes in the period.')}
<h3>Approval inbox decisions</h3>
${eventList(f.approvals, 'No approval decisions in the period.')}

<h2>2. Access control</h2>
<h3>User, role and agent changes</h3>
${eventList(f.accessChanges, 'No user, role or agent changes in the period.')}
<p>Sign-ins: ${n(f.signIns.succeeded)} succeeded, ${n(f.signIns.failed)} failed.</p>

<h2>3. Monitoring</h2>
<h3>Runs by decision and outcome</h3>
${counts(f.runs.byDecisionAndOutcome, 'decision and outcome', 'No runs were decided in the period.')}
<h3>Denials by rule</h3>
${counts(f.runs.denialsByRule, 'rule', 'No runs were denied in the period.')}
<h3>Quarantines</h3>
${eventList(f.quarantines, 'No module was quarantined in the period.')}
<h3>Releases from quarantine and their approvers</h3>
${eventList(f.releases, 'No module was released in the period.', 'approver')}
<h3>Verifications, exports, kill switch</h3>
${eventList(f.monitoring, 'No monitoring events in the period.')}

<h2>4. Audit chain and checkpoints</h2>
${chain}
<h3>Checkpoints signed in the period</h3>
${cps}${cpsMore}
<h3>Proof material</h3>
<p>Verifier key of the log (C2SP note key): <code>${esc(r.log.verifierKey)}</code></p>
${proof}

<h2>Appendix: every event kind in the period</h2>
${counts(f.actions, 'action', 'No events in the period.')}

<h2>How to check this report</h2>
<p>The report file is signed by the server key: the detached signature file (<code>.sig</code>) holds an Ed25519 signature over the text
<code>nightcore.report-signature/v1</code>, a newline, the hex SHA-256 of the report file's exact bytes and a newline.
Run <code>nightcore report verify FILE --key server.pub</code> (server.pub from <code>nightcore server-key --out server.pub</code>).
The tree heads above are checked with <code>nightcore audit check</code> and the verifier key, without this server's database.</p>
</body></html>
`;
}
