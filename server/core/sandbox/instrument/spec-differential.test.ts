import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { budgetImport, compile, mustInstrument } from './testkit';

/**
 * Differential test over the spec corpus (testdata/spec/README.md): every case runs on a
 * fresh instance of the original and of the instrumented module; results must be bit-identical,
 * traps must match, and the instrumented run must not run out of fuel.
 */
const SPEC = join(__dirname, '../../../../testdata/spec');

interface Value { type: string; value: string }
interface Case { file: string; invoke: { field: string; args: Value[] }; expected?: Value[]; trap?: string }

const scratch = new DataView(new ArrayBuffer(8));

function toJs({ type, value }: Value): number | bigint {
  const bits = BigInt(value);
  switch (type) {
    case 'i32': return Number(BigInt.asIntN(32, bits));
    case 'i64': return BigInt.asIntN(64, bits);
    case 'f32': scratch.setUint32(0, Number(bits)); return scratch.getFloat32(0);
    case 'f64': scratch.setBigUint64(0, bits); return scratch.getFloat64(0);
    default: throw new Error(`unexpected value type ${type}`);
  }
}

/** The bit pattern of a returned value, as the unsigned decimal string cases.json uses. */
function bitsOf(type: string, v: unknown): string {
  switch (type) {
    case 'i32': return String((v as number) >>> 0);
    case 'i64': return BigInt.asUintN(64, v as bigint).toString();
    case 'f32': scratch.setFloat32(0, v as number); return String(scratch.getUint32(0));
    case 'f64': scratch.setFloat64(0, v as number); return scratch.getBigUint64(0).toString();
    default: throw new Error(`unexpected result type ${type}`);
  }
}

type Outcome = { trap: true; error: unknown } | { trap: false; bits: string[] };

function call(instance: WebAssembly.Instance, c: Case, resultTypes: string[]): Outcome {
  const fn = instance.exports[c.invoke.field] as (...a: unknown[]) => unknown;
  try {
    const raw = fn(...c.invoke.args.map(toJs));
    const values = resultTypes.length === 1 ? [raw] : resultTypes.length === 0 ? [] : (raw as unknown[]);
    return { trap: false, bits: values.map((v, i) => bitsOf(resultTypes[i]!, v)) };
  } catch (error) {
    return { trap: true, error };
  }
}

describe('spec differential: original vs instrumented', () => {
  it('produces identical results and traps for all 22066 cases without running out of fuel', () => {
    const started = performance.now();
    const cases = JSON.parse(readFileSync(join(SPEC, 'cases.json'), 'utf8')) as Case[];
    expect(cases.length).toBe(22066);
    const modules = new Map<string, { original: WebAssembly.Module; instrumented: WebAssembly.Module }>();
    const mismatches: string[] = [];
    let traps = 0;
    for (const c of cases) {
      let pair = modules.get(c.file);
      if (!pair) {
        const bytes = new Uint8Array(readFileSync(join(SPEC, c.file)));
        pair = { original: compile(bytes), instrumented: compile(mustInstrument(bytes).bytes) };
        modules.set(c.file, pair);
      }
      const budget = budgetImport(10n ** 15n);
      const original = new WebAssembly.Instance(pair.original, {});
      const instrumented = new WebAssembly.Instance(pair.instrumented, budget);
      const types = (c.expected ?? []).map((v) => v.type);
      const a = call(original, c, types);
      const b = call(instrumented, c, types);
      const fuelLeft = (instrumented.exports.nightcore_fuel as WebAssembly.Global).value as bigint;
      const where = `${c.file} ${c.invoke.field}(${c.invoke.args.map((x) => x.value).join(',')})`;
      if (fuelLeft < 0n) mismatches.push(`${where}: ran out of fuel`);
      if (c.trap !== undefined) {
        traps++;
        if (!a.trap || !(a.error instanceof WebAssembly.RuntimeError)) mismatches.push(`${where}: original did not trap`);
        if (!b.trap || !(b.error instanceof WebAssembly.RuntimeError)) mismatches.push(`${where}: instrumented did not trap`);
        continue;
      }
      if (a.trap || b.trap) {
        mismatches.push(`${where}: unexpected trap ${String(a.trap ? a.error : (b as { error: unknown }).error)}`);
        continue;
      }
      c.expected!.forEach((exp, i) => {
        const [x, y] = [a.bits[i]!, b.bits[i]!];
        if (exp.value.startsWith('nan:')) {
          const isNan = (bits: string) => Number.isNaN(toJs({ type: exp.type, value: bits }));
          if (!isNan(x) || !isNan(y)) mismatches.push(`${where}: expected NaN, got ${x} / ${y}`);
        } else if (x !== exp.value || y !== exp.value) {
          mismatches.push(`${where}: expected ${exp.value}, original ${x}, instrumented ${y}`);
        }
      });
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`spec differential: ${cases.length} cases (${traps} traps) over ${modules.size} modules in ${seconds.toFixed(1)} s`);
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(mismatches.length).toBe(0);
  });
});
