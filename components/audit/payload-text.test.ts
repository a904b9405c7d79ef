import { describe, it, expect } from 'vitest';
import { runDecidedGist, runIdOfSubject } from './payload-text';

describe('run.decided rows', () => {
  it('reads the decision and the module from the decision record', () => {
    const payload = JSON.stringify({ decision: 'deny', module: { name: 'hello', version: '1.0.0' }, runId: 'r1' });
    expect(runDecidedGist('run.decided', payload)).toEqual({ decision: 'deny', module: 'hello@1.0.0' });
  });
  it('is null for other actions, bad JSON, and payloads that lie about their shape', () => {
    expect(runDecidedGist('run.started', JSON.stringify({ decision: 'allow', module: { name: 'x' } }))).toBeNull();
    expect(runDecidedGist('run.decided', '{not json')).toBeNull();
    expect(runDecidedGist('run.decided', JSON.stringify({ decision: 'maybe', module: { name: 'x' } }))).toBeNull();
    expect(runDecidedGist('run.decided', JSON.stringify({ decision: 'allow', module: { name: 7 } }))).toBeNull();
    expect(runDecidedGist('run.decided', 'null')).toBeNull();
  });
  it('links only well-formed run subjects', () => {
    expect(runIdOfSubject('run:01JABCDEF_x-9')).toBe('01JABCDEF_x-9');
    expect(runIdOfSubject('module:hello')).toBeNull();
    expect(runIdOfSubject('run:../../users')).toBeNull();
    expect(runIdOfSubject('run:')).toBeNull();
  });
});
