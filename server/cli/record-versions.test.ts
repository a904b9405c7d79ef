/** `nightcore runs show` prints a decision record of every published version (testdata/records). */
import { describe, it, expect } from 'vitest';
import { parseDecisionRecord } from '../core/guardian/decision-record-schema';
import { RECORD_VERSIONS, recordsOf, storedText } from '../core/guardian/test-records';
import { printRecord } from './commands-runs';

describe.each(RECORD_VERSIONS)('records written by %s', (version) => {
  it('runs show prints each: decision, module, verdicts, and the outcome of those that ran', () => {
    for (const e of recordsOf(version).decided) {
      const record = parseDecisionRecord(storedText(e.payload));
      if (!record.ok) throw new Error(record.message);
      const r = record.value;
      const lines: string[] = [];
      printRecord((t) => lines.push(t), r);
      expect(lines[0]).toBe(`run ${r.runId}: ${r.decision.toUpperCase()} ${r.module.name}@${r.module.version}`);
      expect(lines.join('\n')).toContain(`pre-exec: ${r.pre.decision.toUpperCase()}`);
      if (r.execution) expect(lines.join('\n')).toMatch(new RegExp(`outcome ${r.execution.outcome.kind}`));
      else expect(lines.join('\n')).not.toMatch(/post-exec/);
      expect(lines.join('\n')).not.toMatch(/undefined|NaN/);
    }
  });
});
