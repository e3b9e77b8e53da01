/**
 * What reading a Redis stream always needs, alone or in a group: one connection of its own (a
 * blocking read holds it), closed by `close()` even mid-read, and commands that wait out a lost
 * connection (node-redis reconnects; the command is sent again with backoff) unless told not to.
 * A reply that is an error (a wrong key type, an unknown group) is not retried: it will not mend.
 */
import { ErrorReply } from '@redis/client';
import { backoffDelay } from '../client/backoff.js';
import type { RecordSource } from '../client/source.js';
import { describeSystemError, RuntimeError } from '../errors.js';
import { sleep } from '../sleep.js';
import type { GapRecord, StreamRecord } from '../wire/types.js';
import { openRedis, redactRedisUrl, type RedisClient } from './client.js';

export interface RedisSourceOptions {
  url: string;
  /** The stream's key. */
  key: string;
  /** Wait out a lost connection (default); false makes it an error. */
  reconnect?: boolean;
  /** Entries per read. */
  batchSize?: number;
  log?: (line: string) => void;
  /** Only entries whose `file` field this selects (`-f`); all when absent. */
  files?: (name: string) => boolean;
  /** A gap entry the mirror wrote (a stretch of its file it could not deliver): never a record. */
  onGap?: (gap: GapRecord) => void | Promise<void>;
}

/** Error replies that a moment will mend: a restarted server still loading its data, a failover. */
const transientReply = /^(LOADING|BUSY |TRYAGAIN|MASTERDOWN|READONLY)/;

export const DEFAULT_BATCH_SIZE = 500;
/** How much longer than its BLOCK time a blocking read may take before the connection is suspect. */
const BLOCK_TIMEOUT_MARGIN_MS = 10_000;

export abstract class RedisSource implements RecordSource {
  protected readonly opts: RedisSourceOptions;
  protected readonly batchSize: number;
  readonly #stop = new AbortController();
  #client: RedisClient | undefined;

  protected constructor(opts: RedisSourceOptions) {
    this.opts = opts;
    this.batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  abstract batches(): AsyncGenerator<StreamRecord[]>;

  get closed(): boolean {
    return this.#stop.signal.aborted;
  }

  /** Connects (a failure is a RuntimeError naming the URL, exit 1) and says when a lost connection is back. */
  protected async connect(name: string): Promise<void> {
    const { url, log } = this.opts;
    let lost = false;
    const client = await openRedis(url, {
      name,
      onError: (message) => {
        lost = true;
        log?.(this.opts.reconnect === false ? message : `${message}; reconnecting`);
      },
    });
    client.on('ready', () => {
      if (lost) log?.(`reconnected to Redis at ${redactRedisUrl(url)}`);
      lost = false;
    });
    this.#client = client;
    if (this.closed) client.destroy();
  }

  close(): void {
    if (this.closed) return;
    this.#stop.abort();
    // Destroying the connection ends a blocking read at once.
    if (this.#client?.isOpen) this.#client.destroy();
  }

  /**
   * One command; undefined once closed. A blocking read gives its BLOCK time: node-redis fails a
   * command after 5 s by default, which would race a read blocking that long.
   */
  protected async call<T>(args: string[], blockMs?: number): Promise<T | undefined> {
    const options = blockMs === undefined ? undefined : { timeout: blockMs + BLOCK_TIMEOUT_MARGIN_MS };
    for (let attempt = 0; ; attempt++) {
      if (this.closed || !this.#client) return undefined;
      try {
        return await this.#client.sendCommand<T>(args, options);
      } catch (err) {
        if (this.closed) return undefined;
        const where = `Redis at ${redactRedisUrl(this.opts.url)}`;
        if (err instanceof ErrorReply && !transientReply.test(err.message)) {
          throw new RuntimeError('EVLOG_ERR_REDIS', `${where}: ${args[0]} ${this.opts.key}: ${err.message}`, { cause: err });
        }
        if (this.opts.reconnect === false) {
          throw new RuntimeError('EVLOG_ERR_REDIS_LOST', `${where}: ${describeSystemError(err)}`, { cause: err });
        }
        await sleep(backoffDelay(attempt, { minMs: 50, maxMs: 5000 }), this.#stop.signal);
      }
    }
  }
}
