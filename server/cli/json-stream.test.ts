import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { jsonChunks, writeJson } from './json-stream';

const joined = (v: unknown) => [...jsonChunks(v)].join('');

describe('streamed JSON', () => {
  it('gives exactly the text of JSON.stringify(value, null, 2)', () => {
    const values: unknown[] = [
      null, 0, -1.5, 'a"b\n\u2028', true, [], {}, [[]], [{}], { a: [] },
      { ok: true, report: { imports: [{ module: 'wasi', name: 'fd_write', kind: 'func' }], memories: [], start: null, nested: { deep: [1, [2, { x: 'y' }]] } } },
      { skip: undefined, fn: () => 1, kept: 1 }, [undefined, () => 1, 2],
      { date: new Date(0), buf: { type: 'Buffer', data: [1, 2] } },
    ];
    for (const v of values) expect(joined(v)).toBe(JSON.stringify(v, null, 2));
  });

  it('writes a large value in bounded chunks and waits for the stream to drain', async () => {
    const exports = Array.from({ length: 200_000 }, (_, i) => ({ name: `export_${i}`, kind: 'func', index: i }));
    const value = { ok: true, report: { exports } };
    const writes: number[] = [];
    let drains = 0;
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        writes.push(chunk.length);
        setImmediate(done); // a slow consumer: back-pressure must build up
      },
    });
    sink.on('drain', () => drains++);
    const received: Buffer[] = [];
    const original = sink.write.bind(sink);
    sink.write = ((chunk: string) => {
      received.push(Buffer.from(chunk));
      return original(chunk);
    }) as typeof sink.write;
    await writeJson(sink, value, 32 * 1024);
    expect(Buffer.concat(received).toString()).toBe(`${JSON.stringify(value, null, 2)}\n`);
    expect(writes.length).toBeGreaterThan(100);
    // No single write is much bigger than the chunk size: the whole text never sits in one string.
    expect(Math.max(...writes)).toBeLessThan(33 * 1024);
    expect(drains).toBeGreaterThan(0);
  });
});
