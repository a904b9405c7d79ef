import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { GUARANTEE_IDS } from '../server/core/sandbox/backend';
import { renderAssurance, SHIPPED_BACKENDS, withAssurance } from '../server/core/sandbox/assurance';

describe('backend assurance table', () => {
  it('every shipped backend declares every guarantee exactly once, in order, with words for how and limits', () => {
    for (const b of SHIPPED_BACKENDS) {
      expect(b.guarantees.map((g) => g.id)).toEqual([...GUARANTEE_IDS]);
      for (const g of b.guarantees) {
        expect(g.how.trim().length).toBeGreaterThan(10);
        expect(g.limits.trim().length).toBeGreaterThan(0);
      }
    }
  });

  it('the README shows exactly what the backends declare (run `npm run docs:assurance` after changing guarantees)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(withAssurance(readme)).toBe(readme);
  });

  it('refuses a backend that leaves a guarantee out', () => {
    const [first] = SHIPPED_BACKENDS;
    const partial = { ...first!, guarantees: first!.guarantees.slice(1) };
    expect(() => renderAssurance([partial])).toThrow(/instruction_budget/);
  });
});
