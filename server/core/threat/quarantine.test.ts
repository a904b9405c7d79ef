import { describe, it, expect } from 'vitest';
import { ZThreatConfigSchema } from './config';
import { shouldQuarantine } from './quarantine';

const on = ZThreatConfigSchema.parse({});
const off = ZThreatConfigSchema.parse({ quarantine_on_post_failure: false });

describe('shouldQuarantine', () => {
  it('quarantines on a denied post-exec verdict when the policy says so', () => {
    expect(shouldQuarantine(on, { postDecision: 'deny', band: 'low' })).toEqual({
      quarantine: true,
      source: 'post_exec',
      reason: 'The run failed a post-exec check, and this policy quarantines on post-exec failure.',
    });
  });

  it('does not quarantine on post failure when quarantine_on_post_failure is false', () => {
    expect(shouldQuarantine(off, { postDecision: 'deny', band: 'high' })).toEqual({ quarantine: false });
  });

  it('quarantines on the quarantine band regardless of the post setting', () => {
    for (const config of [on, off]) {
      const d = shouldQuarantine(config, { band: 'quarantine' });
      expect(d.quarantine && d.source).toBe('threat');
    }
  });

  it('leaves an allowed run in a lower band alone', () => {
    for (const band of ['low', 'medium', 'high'] as const) {
      expect(shouldQuarantine(on, { band, postDecision: 'allow' })).toEqual({ quarantine: false });
    }
  });
});
