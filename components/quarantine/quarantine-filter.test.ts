import { describe, it, expect } from 'vitest';
import type { TQuarantineEntry } from '@/server/api/routers/quarantine';
import { filterQuarantine } from './quarantine-filter';

const entry = (id: number, moduleName: string, since: string, extra: Partial<TQuarantineEntry> = {}): TQuarantineEntry => ({
  id,
  moduleName,
  versions: ['1.0.0'],
  wasmSha256: 'a'.repeat(64),
  reason: 'held',
  source: 'manual',
  since,
  by: 'user:olga',
  runId: null,
  cause: null,
  release: { statement: { format: 'nightcore.approval/v1', subject: `quarantine:${id}`, wasmSha256: 'a'.repeat(64), manifestSha256: 'b'.repeat(64), policy: { name: 'default', revision: 1 } }, detail: '', rule: '', counted: [] },
  ...extra,
});

const LIST = [
  entry(1, 'alpha', '2026-12-01T10:00:00.000Z'),
  entry(2, 'bravo', '2026-12-02T10:00:00.000Z', {
    source: 'post_exec',
    cause: { rule: 'outcome_allowed', phase: 'post', explanation: 'x', failedRules: 1, outcome: 'trap', outcomeText: 'trapped (unreachable)' },
  }),
  entry(3, 'charlie-alpha', '2026-12-02T10:00:00.000Z'),
];

describe('filterQuarantine', () => {
  it('sorts newest first, ties by the newer id', () => {
    expect(filterQuarantine(LIST, '').map((e) => e.id)).toEqual([3, 2, 1]);
  });
  it('matches a substring of the module name, case-insensitively', () => {
    expect(filterQuarantine(LIST, '  ALPHA ').map((e) => e.moduleName)).toEqual(['charlie-alpha', 'alpha']);
  });
  it('matches the rule and the outcome that caused it', () => {
    expect(filterQuarantine(LIST, 'outcome_allowed').map((e) => e.id)).toEqual([2]);
    expect(filterQuarantine(LIST, 'unreachable').map((e) => e.id)).toEqual([2]);
  });
  it('finds nothing for a string no card contains, and never changes the input', () => {
    const before = LIST.map((e) => e.id);
    expect(filterQuarantine(LIST, 'zzz')).toEqual([]);
    expect(LIST.map((e) => e.id)).toEqual(before);
  });
});
