/**
 * A Redis consumer group's side of `Commit`: each event is acknowledged (XACK) on its own once its
 * callback succeeded or it was dead-lettered; one whose callback failed is released unacknowledged,
 * so it stays pending and is delivered again once idle. Acknowledgements go on a connection of
 * their own (the reader's blocks), coalesced: one XACK in flight, the ids that came meanwhile next.
 * The commit also knows what this listener holds (delivered, not yet acknowledged or released),
 * so the reader does not claim its own events back, and how often each was delivered.
 */
import { backoffDelay } from '../client/backoff.js';
import { openRedis, redactRedisUrl, type RedisClient } from '../redis/client.js';
import { sleep } from '../sleep.js';
import type { Commit } from './commit.js';

export interface GroupCommitOptions {
  url: string;
  key: string;
  group: string;
  /** At this delivery an event that still fails goes to the dead letter and is acknowledged. */
  maxDeliveries: number;
  log: (line: string) => void;
  /** How long the last acknowledgements may wait for a lost connection at shutdown (ms). */
  flushTimeoutMs?: number;
}

/** Ids per XACK: long enough to pay the round trip once for many, short enough for one reply. */
const MAX_IDS_PER_ACK = 1000;

export class GroupCommit implements Commit<string> {
  readonly saved = undefined;
  readonly #opts: GroupCommitOptions;
  readonly #client: RedisClient;
  /** Ids delivered and not yet dispatched, in delivery order. */
  #queue: string[] = [];
  #head = 0;
  /** Every id held, dispatched or not, with its delivery count. */
  readonly #held = new Map<string, number>();
  #acks: string[] = [];
  #acking: Promise<void> | undefined;
  readonly #closing = new AbortController();

  private constructor(opts: GroupCommitOptions, client: RedisClient) {
    this.#opts = opts;
    this.#client = client;
  }

  static async open(opts: GroupCommitOptions): Promise<GroupCommit> {
    const client = await openRedis(opts.url, { name: 'evlog-listen-ack', onError: () => undefined });
    return new GroupCommit(opts, client);
  }

  /** The reader hands over an entry it is about to yield, with its delivery count. */
  deliver(id: string, deliveries: number): void {
    this.#held.set(id, deliveries);
    this.#queue.push(id);
  }

  holds(id: string): boolean {
    return this.#held.has(id);
  }

  /** True when a failure now sends the event to the dead letter rather than back to the group. */
  lastChance(id: string): boolean {
    return (this.#held.get(id) ?? 1) >= this.#opts.maxDeliveries;
  }

  start(id: string): string {
    // Anything before it was left out of dispatch (a stop mid-batch): it stays pending, delivered again.
    this.#takeUpTo(id, (skipped) => this.#held.delete(skipped));
    return id;
  }

  finish(id: string): void {
    this.ack(id);
  }

  release(id: string): void {
    this.#held.delete(id);
  }

  /** Without a callback only the last of a batch is passed: everything delivered up to it is done. */
  pass(id: string): void {
    this.#takeUpTo(id, (done) => this.ack(done));
    this.ack(id);
  }

  /** Acknowledges an entry (also one the stream no longer holds). */
  ack(id: string): void {
    this.#acks.push(id);
    // Started a microtask later, so that the events a batch finishes at once share one XACK.
    this.#acking ??= Promise.resolve().then(() => this.#drain());
  }

  /**
   * Sends the last acknowledgements and closes. With Redis away past the timeout, the events stay
   * pending and are delivered again: at least once, never lost.
   */
  async flush(): Promise<void> {
    const timer = setTimeout(() => this.#closing.abort(), this.#opts.flushTimeoutMs ?? 5000);
    try {
      while (this.#acking) await this.#acking;
    } finally {
      clearTimeout(timer);
      if (this.#acks.length > 0) {
        this.#opts.log(`Redis at ${redactRedisUrl(this.#opts.url)}: ${this.#acks.length} handled events not acknowledged; the group delivers them again`);
      }
      if (this.#client.isOpen) this.#client.destroy();
    }
  }

  /** Takes queued ids up to and including `id`, handing those before it to `before`. */
  #takeUpTo(id: string, before: (earlier: string) => void): void {
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (next === id) return;
      before(next);
    }
  }

  async #drain(): Promise<void> {
    const { key, group } = this.#opts;
    try {
      for (let attempt = 0; this.#acks.length > 0 && !this.#closing.signal.aborted;) {
        const ids = this.#acks.splice(0, MAX_IDS_PER_ACK);
        try {
          await this.#client.sendCommand(['XACK', key, group, ...ids]);
          attempt = 0;
          for (const id of ids) this.#held.delete(id);
        } catch {
          // Lost connection: node-redis reconnects; these go again.
          this.#acks.unshift(...ids);
          await sleep(backoffDelay(attempt++, { minMs: 50, maxMs: 2000 }), this.#closing.signal);
        }
      }
    } finally {
      this.#acking = undefined;
    }
  }
}
