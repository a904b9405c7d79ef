import { describe, it, expect } from 'vitest';
import { LoginRateLimiter, SlidingWindowLimiter, retryAfterMinutes } from './rate-limit';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms), set: (v: number) => (t = v) };
}
const MIN = 60_000;

describe('SlidingWindowLimiter', () => {
  it('refuses after max failures inside the window and frees as the window slides', () => {
    const c = clock();
    const l = new SlidingWindowLimiter({ max: 3, windowMs: 10 * MIN }, c.now);
    l.fail('k');
    c.advance(2 * MIN);
    l.fail('k');
    l.fail('k');
    const refused = l.check('k');
    expect(refused).toEqual({ allowed: false, retryAfterMs: 8 * MIN });
    c.advance(8 * MIN - 1);
    expect(l.check('k').allowed).toBe(false);
    c.advance(1); // the first failure leaves the window
    expect(l.check('k').allowed).toBe(true);
    expect(l.check('other').allowed).toBe(true);
  });

  it('fails closed when the clock is unusable or too many keys are tracked', () => {
    let t = 0;
    const l = new SlidingWindowLimiter({ max: 1, windowMs: MIN }, () => t, 2);
    t = Number.NaN;
    expect(l.check('a').allowed).toBe(false);
    t = 5;
    l.fail('a');
    l.fail('b');
    expect(l.check('c').allowed).toBe(false); // cannot remember one more key: refuse
    t += MIN; // the old entries expire and get swept
    expect(l.check('c').allowed).toBe(true);
  });

  it('a clock stepping backwards does not free a key early', () => {
    const c = clock();
    const l = new SlidingWindowLimiter({ max: 1, windowMs: MIN }, c.now);
    l.fail('k');
    c.advance(-10 * MIN);
    expect(l.check('k').allowed).toBe(false);
  });

  it('rejects a nonsensical rule', () => {
    expect(() => new SlidingWindowLimiter({ max: 0, windowMs: MIN }, Date.now)).toThrow(RangeError);
  });
});

describe('LoginRateLimiter', () => {
  it('limits one account to 5 failures per 15 minutes, whatever the address and case', () => {
    const c = clock();
    const l = new LoginRateLimiter(c.now);
    for (let i = 0; i < 5; i++) {
      expect(l.check('alice', `10.0.0.${i}`).allowed).toBe(true);
      l.fail(i % 2 ? 'ALICE' : 'alice', `10.0.0.${i}`);
    }
    const d = l.check('Alice', '10.9.9.9');
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(retryAfterMinutes(d.retryAfterMs)).toBe(15);
    expect(l.check('bob', '10.9.9.9').allowed).toBe(true);
    c.advance(15 * MIN);
    expect(l.check('alice', '10.9.9.9').allowed).toBe(true);
  });

  it('limits one address to 20 failures across many accounts (password spraying)', () => {
    const c = clock();
    const l = new LoginRateLimiter(c.now);
    for (let i = 0; i < 20; i++) l.fail(`user${i}`, '192.0.2.7');
    expect(l.check('fresh-user', '192.0.2.7').allowed).toBe(false);
    expect(l.check('fresh-user', '192.0.2.8').allowed).toBe(true);
    c.advance(15 * MIN);
    expect(l.check('fresh-user', '192.0.2.7').allowed).toBe(true);
  });

  it('a successful login clears the account window but not the address window', () => {
    const l = new LoginRateLimiter(clock().now, {
      perAccount: { max: 2, windowMs: MIN },
      perAddress: { max: 3, windowMs: MIN },
    });
    l.fail('alice', 'a1');
    l.fail('alice', 'a1');
    expect(l.check('alice', 'a2').allowed).toBe(false);
    l.succeed('alice');
    expect(l.check('alice', 'a2').allowed).toBe(true);
    l.fail('bob', 'a1');
    expect(l.check('carol', 'a1').allowed).toBe(false);
  });

  it('rounds the wait up to whole minutes', () => {
    expect(retryAfterMinutes(1)).toBe(1);
    expect(retryAfterMinutes(60_001)).toBe(2);
    expect(retryAfterMinutes(15 * MIN)).toBe(15);
  });
});

describe('attempts left and unlocks', () => {
  it('counts down the attempts left (the lower of account and address) and forgets failures before an unlock', () => {
    let t = 1_000_000;
    const limiter = new LoginRateLimiter(() => t, { perAccount: { max: 3, windowMs: 60_000 }, perAddress: { max: 4, windowMs: 60_000 } });
    expect(limiter.attemptsLeft('bob', '10.0.0.1')).toEqual({ left: 3, lockMinutes: 1 });
    limiter.fail('bob', '10.0.0.1');
    limiter.fail('bob', '10.0.0.1');
    expect(limiter.attemptsLeft('BOB', '10.0.0.1').left).toBe(1);
    limiter.fail('carol', '10.0.0.1');
    limiter.fail('carol', '10.0.0.1'); // the address is now at its limit of 4
    expect(limiter.attemptsLeft('dave', '10.0.0.1').left).toBe(0);
    limiter.fail('bob', '10.0.0.2');
    expect(limiter.check('bob', '10.0.0.3').allowed).toBe(false);
    expect(limiter.accountLockedMinutes('bob')).toBe(1);
    // an unlock older than the failures frees nothing
    expect(limiter.check('bob', '10.0.0.3', t - 1_000).allowed).toBe(false);
    t += 5;
    const unlockedAt = t;
    expect(limiter.check('bob', '10.0.0.3', unlockedAt).allowed).toBe(true);
    expect(limiter.accountLockedMinutes('bob', unlockedAt)).toBe(0);
  });
});
