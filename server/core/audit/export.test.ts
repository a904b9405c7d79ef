import { describe, it, expect } from 'vitest';
import canonicalize from 'canonicalize';
import { csvCell, toCsv, toJsonLines, CSV_COLUMNS } from './export';
import { canonicalPayload } from './canonical-payload';
import { buildChain, randomJson, seededRandom } from './test-support';

/** A small RFC 4180 parser, so the test checks the format rather than our own string building. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  return rows;
}

describe('JSON Lines export', () => {
  it('parses back to the same events, payload canonicalising back to the stored text', () => {
    const rand = seededRandom(7);
    const events = buildChain(200, () => {
      const p = canonicalPayload(randomJson(rand));
      if (!p.ok) throw new Error(p.message);
      return p.value;
    });
    const text = [...toJsonLines(events)].join('');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(200);
    lines.forEach((line, i) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const e = events[i]!;
      expect(parsed).toEqual({ seq: e.seq, time: e.time, actor: e.actor, action: e.action, subject: e.subject, payload: JSON.parse(e.payload), prevHash: e.prevHash, hash: e.hash });
      expect(canonicalize(parsed.payload)).toBe(e.payload);
    });
  });
});

describe('CSV export', () => {
  it('quotes per RFC 4180 and guards formula cells', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${start}1+1`).startsWith(`'${start}`) || csvCell(`${start}1+1`).startsWith(`"'${start}`)).toBe(true);
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('\rX')).toBe(`"'\rX"`);
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes a header and one CRLF row per event that a CSV parser reads back', () => {
    const events = buildChain(3, (seq) => (seq === 2 ? '{"note":"a, \\"quoted\\"\\nline"}' : '-5'));
    const evil = { ...events[0]!, actor: '=cmd|\' /C calc\'!A0', subject: '@SUM(1,2)' };
    const rows = parseCsv([...toCsv([evil, events[1]!, events[2]!])].join(''));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(4);
    expect(rows[1]!.slice(2, 6)).toEqual([`'=cmd|' /C calc'!A0`, 'key.added', "'@SUM(1,2)", "'-5"]);
    expect(rows[2]![5]).toBe(events[1]!.payload);
    expect(rows[3]![7]).toBe(events[2]!.hash);
  });
});
