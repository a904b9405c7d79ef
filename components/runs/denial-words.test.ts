import { describe, it, expect } from 'vitest';
import { describeInvocation, describeOutcome, explainDenials } from './denial-words';

describe('explainDenials', () => {
  it('says plainly when nothing was refused', () => {
    expect(explainDenials([])).toEqual({ summary: 'The module stayed inside what it was granted: the sandbox refused no call.', lines: [] });
  });

  it('explains each refused function: what it needs, that it was refused, and that it did nothing', () => {
    const e = explainDenials([
      { fn: 'environ_get', capability: 'environ', errno: 'NOTCAPABLE', count: 2, samples: [] },
      { fn: 'sock_accept', capability: null, errno: 'NOTSUP', count: 1, samples: ['fd=3'] },
    ]);
    expect(e.summary).toMatch(/^The module tried 3 calls outside its grant\. Each was refused by the sandbox, so nothing was read, written or sent/);
    expect(e.lines[0]?.sentence).toBe('Called environ_get 2 times, which needs the "environ" capability (read environment variables), which this run was not granted. The sandbox refused it (NOTCAPABLE) and the call did nothing.');
    expect(e.lines[1]?.sentence).toContain('Called sock_accept once, which needs something this sandbox never allows');
    expect(e.lines[1]?.samples).toEqual(['fd=3']);
  });

  it('says "1 call" for a single refused call', () => {
    expect(explainDenials([{ fn: 'clock_time_get', capability: 'clock', errno: 'NOTCAPABLE', count: 1, samples: [] }]).summary).toMatch(/^The module tried 1 call outside its grant\./);
  });

  it('names a capability it has no words for without inventing any', () => {
    const e = explainDenials([{ fn: 'path_open', capability: 'fs.read', errno: 'NOTCAPABLE', count: 1, samples: [] }]);
    expect(e.lines[0]?.sentence).toContain('the "fs.read" capability (not granted to this run)');
  });
});

describe('describeOutcome', () => {
  it("reports AssemblyScript's abort message as the module's own words", () => {
    expect(describeOutcome({ kind: 'trap', trap: 'abort', message: 'n must be positive at abort.ts:8:3' })).toBe('stopped itself (abort) with the message: n must be positive at abort.ts:8:3');
    expect(describeOutcome({ kind: 'trap', trap: 'unreachable' })).toBe('trapped (unreachable)');
  });
});

describe('describeInvocation', () => {
  const input = { entry: 'add_i32', args: [], env: {}, stdinSha256: '', stdinBytes: 0, seed: '1', invocation: { args: [{ type: 'i32' as const, value: '2' }, { type: 'i32' as const, value: '3' }], results: ['i32' as const] } };
  const execution = { outcome: { kind: 'ok' as const, exitCode: 0 }, used: { fuel: 1, peakMemoryPages: 1, wallMs: 1, outputBytes: 0 }, outputTruncated: false, stdoutSha256: '', stderrSha256: '', outputSha256: '', capabilityDenials: [] };

  it('shows the call and its typed results', () => {
    expect(describeInvocation({ input, execution: { ...execution, returnValues: [{ type: 'i32', value: '5' }] } })).toBe('Called add_i32(2: i32, 3: i32); it returned 5 (i32).');
  });

  it('says when the call returned nothing, and is null for a plain run', () => {
    expect(describeInvocation({ input, execution: { ...execution, returnValues: [] } })).toBe('Called add_i32(2: i32, 3: i32); it returned no value.');
    expect(describeInvocation({ input, execution })).toContain('returned nothing because the run did not finish normally');
    expect(describeInvocation({ input: { ...input, invocation: undefined }, execution })).toBeNull();
  });
});
