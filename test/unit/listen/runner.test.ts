import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Callback, ListenEvent } from '../../../src/listen/callback.js';
import { CallbackRunner, type Outcome, type RunnerOptions } from '../../../src/listen/runner.js';

const event = (id: string): ListenEvent => ({ id, line: `s1:${id}`, match: null });

/** A runner whose dead letters are kept; retries wait 1 s, then 2 s (jitter at its ceiling). */
function runner(callback: Callback, options: Partial<RunnerOptions> = {}) {
  const dead: { id: string; message: string; attempts: number }[] = [];
  const r = new CallbackRunner({
    callback,
    retries: 3,
    retryDelayMs: 1000,
    timeoutMs: 60_000,
    concurrency: 1,
    deadLetter: (e, error, attempts) => void dead.push({ id: e.id, message: error.message, attempts }),
    ...options,
  });
  return { r, dead };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(1);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the callback runner', () => {
  it('returns at once, without a promise, when a plain callback succeeds', () => {
    const { r } = runner(() => undefined);
    expect(r.run(event('a'))).toBe('ok');
    expect(r.inFlight).toBe(0);
  });

  it('retries a failure with exponential backoff until it succeeds', async () => {
    const attempts: number[] = [];
    const { r } = runner((_e, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt < 3) throw new Error('not yet');
    });
    const outcome = r.run(event('a')) as Promise<Outcome>;
    expect(attempts).toEqual([1]);
    await vi.advanceTimersByTimeAsync(999);
    expect(attempts).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1999);
    expect(attempts).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('dead-letters an event that failed every attempt, with the last error', async () => {
    const { r, dead } = runner((_e, ctx) => Promise.reject(new Error(`failure ${ctx.attempt}`)), { retries: 2 });
    const outcome = r.run(event('a')) as Promise<Outcome>;
    await vi.advanceTimersByTimeAsync(3000);
    expect(await outcome).toBe('dead-lettered');
    expect(dead).toEqual([{ id: 'a', message: 'failure 3', attempts: 3 }]);
  });

  it('fails an attempt still running after the timeout, and tells the callback through ctx.signal', async () => {
    let signal: AbortSignal | undefined;
    const { r, dead } = runner((_e, ctx) => {
      signal = ctx.signal;
      return new Promise<void>(() => undefined);
    }, { retries: 0, timeoutMs: 500 });
    const outcome = r.run(event('a')) as Promise<Outcome>;
    await vi.advanceTimersByTimeAsync(499);
    expect(signal!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe('dead-lettered');
    expect(signal!.aborted).toBe(true);
    expect(dead[0]!.message).toBe('callback still running after 500 ms');
  });

  it('abandons an event waiting for a retry when aborted, without dead-lettering it', async () => {
    const { r, dead } = runner(() => {
      throw new Error('down');
    });
    const outcome = r.run(event('a')) as Promise<Outcome>;
    r.abort();
    expect(await outcome).toBe('abandoned');
    expect(dead).toEqual([]);
    expect(r.run(event('b'))).toBe('abandoned');
  });

  it('holds the next event until a slot is free, and is idle once nothing runs', async () => {
    const release: (() => void)[] = [];
    const { r } = runner(() => new Promise<void>((resolve) => release.push(resolve)), { concurrency: 2 });
    void r.run(event('a'));
    expect(r.slot()).toBeUndefined();
    void r.run(event('b'));
    let free = false;
    void r.slot()!.then(() => (free = true));
    let idle = false;
    void r.idle().then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(0);
    expect([free, idle]).toEqual([false, false]);
    release.shift()!();
    await vi.advanceTimersByTimeAsync(0);
    expect([free, idle]).toEqual([true, false]);
    release.shift()!();
    await vi.advanceTimersByTimeAsync(0);
    expect(idle).toBe(true);
  });
});
