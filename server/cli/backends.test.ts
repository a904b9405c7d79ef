import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { backends } from './commands-backends';
import { makeOut } from './io';

function capture() {
  let text = '';
  const stream = new Writable({ write: (c, _e, done) => ((text += c.toString()), done()) });
  return { stream, text: () => text };
}

describe('nightcore backends', () => {
  it('lists every backend with every guarantee, and what this host supports, checked for real', async () => {
    const out = capture();
    const code = await backends.run({ values: { json: true }, positionals: [], out: makeOut(true, out.stream as never, out.stream as never) } as never);
    expect(code).toBe(0);
    const body = JSON.parse(out.text());
    expect(body.backends.map((b: { kind: string }) => b.kind)).toEqual(['worker-threads', 'process', 'remote']);
    // npm test installs bubblewrap, so on a test machine the jail really starts.
    expect(body.host.processBackend).toEqual({ available: true, reason: 'bubblewrap starts jails here' });
    const text = capture();
    await backends.run({ values: {}, positionals: [], out: makeOut(false, text.stream as never, text.stream as never) } as never);
    expect(text.text()).toMatch(/process backend: available/);
    expect(text.text()).toMatch(/Remote execution nodes \(remote\)/);
  });
});
