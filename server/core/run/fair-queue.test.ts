import { describe, it, expect } from 'vitest';
import { FairQueue } from './fair-queue';

const admitted = (q: FairQueue, actor: string) => {
  const a = q.admit(actor);
  if (!a.ok) throw new Error(a.code);
  return a.value;
};

describe('FairQueue accounting', () => {
  it('a run released before its turn (denied pre-exec) frees its place and never counts as running', async () => {
    const q = new FairQueue({ capacity: () => 1, queueLimit: () => 1 });
    const first = admitted(q, 'a');
    const second = admitted(q, 'b');
    expect(q.admit('c').ok).toBe(false); // queue full
    second.release(); // b was denied before its turn
    expect(await second.started).toBe(false);
    expect(q.stats()).toEqual({ running: 1, waiting: 0, actors: 1 });
    first.release();
    expect(q.stats()).toEqual({ running: 0, waiting: 0, actors: 0 });
  });

  it('a run started and released in the same tick is counted once', async () => {
    const q = new FairQueue({ capacity: () => 1, queueLimit: () => 4 });
    const first = admitted(q, 'a');
    const second = admitted(q, 'a');
    first.release(); // second starts synchronously
    second.release(); // and ends before anyone awaited `started`
    expect(await second.started).toBe(true);
    expect(q.stats()).toEqual({ running: 0, waiting: 0, actors: 0 });
    first.release(); // releasing twice changes nothing
    expect(q.stats()).toEqual({ running: 0, waiting: 0, actors: 0 });
  });

  it('cancelWaiting ends only waiting runs', async () => {
    const q = new FairQueue({ capacity: () => 1, queueLimit: () => 4 });
    const running = admitted(q, 'a');
    const waiting = [admitted(q, 'a'), admitted(q, 'b')];
    expect(q.cancelWaiting()).toBe(2);
    expect(await Promise.all(waiting.map((w) => w.started))).toEqual([false, false]);
    waiting.forEach((w) => w.release());
    expect(q.stats()).toEqual({ running: 1, waiting: 0, actors: 1 });
    running.release();
    expect(q.stats().running).toBe(0);
  });

  it('a lone flood fills at most half the queue, so a newcomer still gets a place', () => {
    const q = new FairQueue({ capacity: () => 1, queueLimit: () => 4 });
    admitted(q, 'flood'); // running
    admitted(q, 'flood');
    admitted(q, 'flood');
    const third = q.admit('flood');
    expect(third.ok ? 'queued' : third.code).toBe('RATE_LIMITED');
    expect(q.admit('ada').ok).toBe(true);
    expect(q.stats()).toEqual({ running: 1, waiting: 3, actors: 2 });
  });
});
