import { describe, expect, it } from 'vitest';
import { closest, editDistance } from './suggest';

describe('editDistance', () => {
  it('counts inserts, deletes, substitutions and a swapped pair as one edit each', () => {
    expect(editDistance('verify', 'verify')).toBe(0);
    expect(editDistance('verfy', 'verify')).toBe(1);
    expect(editDistance('vreify', 'verify')).toBe(1); // swap
    expect(editDistance('verifyy', 'verify')).toBe(1);
    expect(editDistance('', 'run')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('closest', () => {
  const commands = ['run', 'runs list', 'verify', 'trust add', 'trust list', 'audit verify'];
  it('suggests a near miss and a unique prefix', () => {
    expect(closest('verfy', commands)).toBe('verify');
    expect(closest('trust ad', commands)).toBe('trust add');
    expect(closest('trsut list', commands)).toBe('trust list');
    expect(closest('audit verfiy', commands)).toBe('audit verify');
    expect(closest('VERIFY', commands)).toBe('verify');
  });
  it('says nothing when nothing is close: no wild guesses', () => {
    expect(closest('deploy', commands)).toBeUndefined();
    expect(closest('deploy', ['replay'])).toBeUndefined(); // two edits in six letters is another word
    expect(closest('x', commands)).toBeUndefined();
    expect(closest('ru', ['run', 'rm'])).toBe('run');
    expect(closest('trust', commands)).toBeUndefined(); // a prefix of two commands is not a guess
  });
});
