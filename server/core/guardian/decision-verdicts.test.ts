/**
 * The runs list reads only how a record was decided (parseDecisionVerdicts) where the run page reads
 * it whole (parseDecisionRecord). The two must never disagree on what they both read: every real
 * record of every published version reads the same verdicts both ways, and a record damaged in
 * those parts is refused by both, with the same words.
 */
import { describe, it, expect } from 'vitest';
import { parseDecisionRecord, parseDecisionVerdicts } from './decision-record-schema';
import { RECORD_VERSIONS, recordsOf, storedText } from './test-records';

type Json = Record<string, unknown>;
const real = RECORD_VERSIONS.flatMap((v) => recordsOf(v).decided.map((e) => ({ id: `${v} ${e.subject}`, record: e.payload as Json })));
const denied = real.find((r) => r.record.decision === 'deny' && r.record.execution !== null)!;
const allowed = real.find((r) => r.record.decision === 'allow')!;

describe('parseDecisionVerdicts', () => {
  it('reads every real record to the same decision, verdicts and outcome as the whole-record reader', () => {
    expect(real.filter((r) => r.record.decision === 'deny').length).toBeGreaterThan(3);
    for (const { id, record } of real) {
      const whole = parseDecisionRecord(storedText(record));
      const verdicts = parseDecisionVerdicts(storedText(record));
      if (!whole.ok || !verdicts.ok) throw new Error(`${id}: ${whole.ok ? '' : whole.message} ${verdicts.ok ? '' : verdicts.message}`);
      const r = whole.value;
      expect(verdicts.value, id).toEqual({ decision: r.decision, pre: r.pre, post: r.post, execution: r.execution && { outcome: r.execution.outcome } });
    }
  });

  // Each damage touches only the parts the list reads; both readers must refuse it, and say the same.
  const damages: [string, Json, (r: Json) => Json][] = [
    ['an allow whose post verdict denied', allowed.record, (r) => ({ ...r, post: { ...(r.post as Json), decision: 'deny' } })],
    ['a post verdict without an execution', denied.record, (r) => ({ ...r, execution: null })],
    ['a pre verdict in the post phase', denied.record, (r) => ({ ...r, pre: { ...(r.pre as Json), phase: 'post' } })],
    ['a rule no release ever had', denied.record, (r) => ({ ...r, post: { ...(r.post as Json), rules: [{ id: 'made_up', outcome: 'fail', severity: 'high', explanation: 'x' }] } })],
    ['a trap without its kind', denied.record, (r) => ({ ...r, execution: { ...(r.execution as Json), outcome: { kind: 'trap' } } })],
    ['an outcome kind no sandbox has', denied.record, (r) => ({ ...r, execution: { ...(r.execution as Json), outcome: { kind: 'exploded' } } })],
    ['a decision that is neither', denied.record, (r) => ({ ...r, decision: 'maybe' })],
    ['a rule outcome that is not one', denied.record, (r) => ({ ...r, pre: { ...(r.pre as Json), rules: [{ id: 'quarantined', outcome: 'ok', severity: 'high', explanation: 'x' }] } })],
  ];
  it.each(damages)('refuses %s exactly as the whole-record reader does', (_, record, damage) => {
    const text = storedText(damage(record));
    const whole = parseDecisionRecord(text, 'r1');
    const verdicts = parseDecisionVerdicts(text, 'r1');
    expect(whole.ok).toBe(false);
    expect(verdicts.ok).toBe(false);
    if (!whole.ok && !verdicts.ok) {
      expect(verdicts.message).toMatch(/^run r1's decision record is not a nightcore\.decision\/v1 record: /);
      expect(verdicts.issues).toEqual(whole.issues);
    }
  });

  it('refuses text that is not JSON, or not an object, with a clear message', () => {
    expect(parseDecisionVerdicts('{"decision":', 'r2')).toMatchObject({ ok: false, message: "run r2's decision record is not JSON" });
    expect(parseDecisionVerdicts('[]', 'r2')).toMatchObject({ ok: false, code: 'RECORD_INVALID' });
  });

  it('does not judge what it does not read: damage elsewhere in a record is the whole-record reader\'s to refuse', () => {
    const text = storedText({ ...denied.record, threat: { score: 'high' } });
    expect(parseDecisionRecord(text).ok).toBe(false);
    expect(parseDecisionVerdicts(text).ok).toBe(true);
  });
});
