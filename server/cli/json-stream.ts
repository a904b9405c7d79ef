/**
 * JSON output written in pieces, for reports whose JSON can be large (`nightcore inspect --json` of
 * a module with millions of exports). JSON.stringify of such a value builds one string of the whole
 * output (V8 then fails with "Invalid string length" past ~512 MB); here the text goes out in
 * bounded chunks and waits for the stream to drain, so memory stays flat whatever the size.
 * The text is byte for byte what JSON.stringify(value, null, 2) would give.
 */
import { once } from 'node:events';

const isPlainLeafObject = (v: object): boolean =>
  !Array.isArray(v) && Object.values(v).every((x) => x === null || typeof x !== 'object');

/** Yields JSON.stringify(value, null, 2) piece by piece (one piece per leaf object or primitive). */
export function* jsonChunks(value: unknown, pad = ''): Generator<string> {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  if (value === null || typeof value !== 'object' || isPlainLeafObject(value)) {
    // Small objects and primitives: the built-in, re-indented (JSON strings hold no raw newlines).
    const text = JSON.stringify(value, null, 2);
    yield text === undefined ? 'null' : text.replace(/\n/g, `\n${pad}`);
    return;
  }
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return yield '[]';
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? '' : ','}\n${inner}`;
      const item: unknown = value[i];
      // Like JSON.stringify: functions and undefined inside arrays become null.
      yield* jsonChunks(item === undefined || typeof item === 'function' ? null : item, inner);
    }
    return yield `\n${pad}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) return yield '{}';
  yield '{';
  let first = true;
  for (const [key, v] of entries) {
    yield `${first ? '' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* jsonChunks(v, inner);
  }
  yield `\n${pad}}`;
}

/** Writes `value` as JSON plus a newline, in chunks of about `chunkBytes`, honouring back-pressure. */
export async function writeJson(stream: NodeJS.WritableStream, value: unknown, chunkBytes = 64 * 1024): Promise<void> {
  let buffer = '';
  const flush = async () => {
    const ok = stream.write(buffer);
    buffer = '';
    if (!ok) await once(stream, 'drain');
  };
  for (const piece of jsonChunks(value)) {
    buffer += piece;
    if (buffer.length >= chunkBytes) await flush();
  }
  buffer += '\n';
  await flush();
}
