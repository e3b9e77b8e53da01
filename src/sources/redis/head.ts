/**
 * Where the stream ends, and a signal when it moves: one blocking `XREAD` per source, however many
 * readers, so a thousand clients at the live edge hold two Redis connections, not a thousand. Readers
 * fetch entries themselves (`XRANGE` on the shared client) and wait on the signal at the end.
 */
import { ChangeSignal } from '../file/signal.js';
import { sleep } from '../../sleep.js';
import type { RedisClient } from '../../redis/client.js';
import type { RawEntry } from './entry.js';

/**
 * How long one XREAD waits before asking again (ms), well inside node-redis's command timeout
 * (5 s by default) so that an idle stream is not mistaken for a lost connection.
 */
const BLOCK_MS = 2000;

export class StreamHead {
  readonly #key: string;
  readonly #blocking: RedisClient;
  readonly #client: RedisClient;
  readonly #signal = new ChangeSignal();
  readonly #stop = new AbortController();
  readonly #done: Promise<void>;
  /** Entries appended to the stream as seen by this server (for `/metrics`). */
  wakes = 0;

  /** `blocking` is this head's own connection (XREAD BLOCK holds it); `client` serves everything else. */
  constructor(key: string, blocking: RedisClient, client: RedisClient) {
    this.#key = key;
    this.#blocking = blocking;
    this.#client = client;
    this.#done = this.#watch();
  }

  get closed(): boolean {
    return this.#stop.signal.aborted;
  }

  /** Resolves the next time the stream grows (or once closed). */
  changed(): Promise<void> {
    return this.#signal.next();
  }

  /** The id of the last entry now, `0-0` for an empty or missing stream. */
  async last(): Promise<string> {
    const reply = (await this.#client.sendCommand(['XREVRANGE', this.#key, '+', '-', 'COUNT', '1'])) as RawEntry[];
    return reply[0]?.[0] ?? '0-0';
  }

  async #watch(): Promise<void> {
    let head: string | undefined;
    while (!this.#stop.signal.aborted) {
      try {
        if (head === undefined) {
          head = await this.last();
          // Entries may have come between a reader's last look and this one (at start, or while the
          // connection was back but the head not yet re-read): waiting from here would never wake it.
          this.#signal.fire();
        }
        const reply = await this.#blocking.sendCommand(['XREAD', 'COUNT', '1', 'BLOCK', String(BLOCK_MS), 'STREAMS', this.#key, head]);
        if (reply === null) continue;
        // Many entries may have come at once: the next wait starts at the end, not one entry on.
        head = await this.last();
        this.wakes++;
        this.#signal.fire();
      } catch {
        if (this.#stop.signal.aborted) return;
        head = undefined;
        // Readers look again once the connection is back (what they missed is still in the stream).
        this.#signal.fire();
        await sleep(200, this.#stop.signal);
      }
    }
  }

  close(): Promise<void> {
    this.#stop.abort();
    this.#signal.close();
    this.#blocking.destroy();
    return this.#done;
  }
}
