/**
 * The console's words for a run read a decision record of every published version
 * (testdata/records): the outcome, a call's invocation, which side set each limit, why it was
 * denied, and the audit page's one-line gist. Fields an older version did not record are left out,
 * never shown as "undefined".
 */
import { describe, it, expect } from 'vitest';
import { parseDecisionRecord } from '@/server/core/guardian/decision-record-schema';
import { RECORD_VERSIONS, recordsOf, storedText } from '@/server/core/guardian/test-records';
import { deniedBecause, whyDenied } from '@/server/api/routers/run-why';
import { describeInvocation, describeOutcome, explainDenials } from './denial-words';
import { limitSource } from './limit-source';
import { runDecidedGist } from '../audit/payload-text';

describe.each(RECORD_VERSIONS)('records written by %s', (version) => {
  const records = recordsOf(version).decided.map((e) => {
    const r = parseDecisionRecord(storedText(e.payload));
    if (!r.ok) throw new Error(r.message);
    return { text: storedText(e.payload), record: r.value };
  });

  it('each is described in words, with nothing undefined', () => {
    for (const { text, record } of records) {
      const words: string[] = [];
      if (record.execution) words.push(describeOutcome(record.execution.outcome));
      const call = describeInvocation(record);
      if (record.input.invocation) expect(call).toMatch(/add\(2: i32, 40: i32\)/);
      else expect(call).toBeNull();
      const denials = explainDenials(record.execution?.capabilityDenials ?? []);
      words.push(denials.summary, ...denials.lines.map((l) => l.sentence));
      const sources = record.granted.limitSources;
      if (sources) for (const k of ['fuel', 'memoryPages', 'wallMs', 'outputBytes', 'tableElements'] as const) words.push(limitSource({ requested: sources.requested[k], policy: sources.policy[k] }).text);
      const why = whyDenied(record);
      if (record.decision === 'deny') words.push(deniedBecause(why!));
      else expect(why).toBeNull();
      expect(runDecidedGist('run.decided', text)).toEqual({ decision: record.decision, module: `${record.module.name}@${record.module.version}` });
      for (const w of words) expect(w).not.toMatch(/undefined|NaN|\[object/);
    }
  });
});
