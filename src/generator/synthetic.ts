/**
 * Synthetic load at a steady rate. The schedule is computed from elapsed time since the start, so
 * timer lateness never accumulates into drift: a late wake-up writes the burst it owes.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventWriter } from './writer.js';

export interface SyntheticOptions {
  events: readonly string[];
  sessions: number;
  /** Events per second; 0 means as fast as the writer accepts them. */
  rate: number;
  count?: number;
  signal?: AbortSignal;
}

export function makeSessionIds(n: number): string[] {
  const ids = new Set<string>();
  while (ids.size < n) ids.add(`s-${randomBytes(4).toString('hex')}`);
  return [...ids];
}

/** Yield to the event loop at least this often so signals and timers are served at rate 0. */
const YIELD_EVERY = 4096;

export async function runSynthetic(writer: EventWriter, opts: SyntheticOptions): Promise<void> {
  const sessions = makeSessionIds(opts.sessions);
  const { events, rate, signal } = opts;
  const limit = opts.count ?? Number.POSITIVE_INFINITY;
  const start = performance.now();
  let sent = 0;
  let sinceYield = 0;

  while (sent < limit && !signal?.aborted) {
    // The first event goes out at once; event k is due at start + k/rate.
    const due = rate === 0
      ? limit
      : Math.min(limit, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (sent < due && !signal?.aborted) {
      const session = sessions[Math.floor(Math.random() * sessions.length)]!;
      const event = events[Math.floor(Math.random() * events.length)]!;
      sent++;
      if (!writer.writeEvent(session, event)) {
        await writer.drain();
        sinceYield = 0;
      } else if (++sinceYield >= YIELD_EVERY) {
        await new Promise(setImmediate);
        sinceYield = 0;
      }
    }
    if (sent >= limit || signal?.aborted || rate === 0) continue;
    const wait = start + (sent * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
  }
}
