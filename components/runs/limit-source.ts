/**
 * Where a granted limit came from, in words: the grant is the smaller of the manifest's request
 * and the policy's cap, so when they differ the reader needs to know which one bound the run.
 */
export interface LimitPair {
  readonly requested: number;
  readonly policy: number;
}

export interface LimitSource {
  readonly from: 'policy' | 'manifest' | 'both';
  readonly text: string;
}

const n = (v: number) => v.toLocaleString('en-US');

export function limitSource({ requested, policy }: LimitPair): LimitSource {
  if (requested === policy) return { from: 'both', text: 'manifest and policy agree' };
  if (policy < requested) return { from: 'policy', text: `policy cap (the manifest asked for ${n(requested)})` };
  return { from: 'manifest', text: `manifest request (the policy allows up to ${n(policy)})` };
}
