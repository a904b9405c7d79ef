/**
 * Test helper: a strict parser of the Prometheus text format 0.0.4, written from the format's
 * grammar, independent of the writer in exposition.ts. Throws on anything the format does not allow.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Family {
  help: string;
  type: string;
  samples: Sample[];
}

export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  let current: string | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line))) {
      if (families.has(m[1]!)) throw new Error(`second HELP for ${m[1]}`);
      families.set(m[1]!, { help: m[2]!.replace(/\\n/g, '\n').replace(/\\\\/g, '\\'), type: '', samples: [] });
      current = m[1];
    } else if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      if (m[1] !== current) throw new Error(`TYPE for ${m[1]} not right after its HELP`);
      families.get(m[1]!)!.type = m[2]!;
    } else if ((m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line))) {
      const [, name, , body, raw] = m;
      const family = current && families.get(current);
      const base = name!.replace(/_(bucket|sum|count)$/, '');
      if (!family || (name !== current && !(family.type === 'histogram' && base === current))) throw new Error(`sample ${name} outside its family`);
      const labels: Record<string, string> = {};
      if (body !== undefined) {
        const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/gy;
        let consumed = 0;
        for (let lm; (lm = re.exec(body)); ) {
          labels[lm[1]!] = lm[2]!.replace(/\\(\\|"|n)/g, (_x, c: string) => (c === 'n' ? '\n' : c));
          consumed = re.lastIndex;
        }
        if (consumed !== body.length) throw new Error(`bad labels: ${body}`);
      }
      const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
      if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`bad value ${raw}`);
      family.samples.push({ name: name!, labels, value });
    } else {
      throw new Error(`not a valid line: ${JSON.stringify(line)}`);
    }
  }
  return families;
}
