import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect, type ClientStatus } from '../../../src/client/connect.js';
import { closedPort } from '../../helpers/ports.js';


/** Waits for real I/O (a refused connection) while the clock is fake: turns of the event loop, not timers. */
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('reconnecting', () => {
  it('waits twice as long after each failure, up to the maximum, and not a moment less', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const retries: number[] = [];
    const stream = connect(`127.0.0.1:${await closedPort()}`, {
      minBackoffMs: 1000,
      maxBackoffMs: 4000,
      onStatus: (s: ClientStatus) => void (s.type === 'retrying' && retries.push(s.delayMs)),
    });
    const reading = stream[Symbol.asyncIterator]().next();
    for (const [n, delay] of [[1, 1000], [2, 2000], [3, 4000], [4, 4000]] as const) {
      await until(() => retries.length === n);
      expect(retries[n - 1]).toBe(delay);
      await vi.advanceTimersByTimeAsync(delay - 1);
      // Still waiting: the one timer is the backoff's, and no attempt has been made.
      expect(vi.getTimerCount()).toBe(1);
      expect(retries).toHaveLength(n);
      await vi.advanceTimersByTimeAsync(1);
    }
    stream.close();
    await expect(reading).resolves.toMatchObject({ done: true });
  });
});
