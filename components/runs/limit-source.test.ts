import { describe, expect, it } from 'vitest';
import { limitSource } from './limit-source';

describe('limitSource', () => {
  it('names the side that bound the grant and the other side with grouped digits', () => {
    expect(limitSource({ requested: 50_000_000, policy: 10_000_000 })).toEqual({ from: 'policy', text: 'policy cap (the manifest asked for 50,000,000)' });
    expect(limitSource({ requested: 16, policy: 256 })).toEqual({ from: 'manifest', text: 'manifest request (the policy allows up to 256)' });
    expect(limitSource({ requested: 1000, policy: 1000 })).toEqual({ from: 'both', text: 'manifest and policy agree' });
  });
});
