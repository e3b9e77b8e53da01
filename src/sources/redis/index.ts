/**
 * A Redis stream as a source (`serve redis://host:port[/db] --stream KEY`): records are the stream's
 * entries and their ids the entry ids, so every server in front of the same stream gives the same
 * records under the same ids, and a client resumes on any of them.
 */
import { RuntimeError } from '../../errors.js';
import { openRedis, redactRedisUrl, type RedisClient } from '../../redis/client.js';
import type { MetricFamily, Source, SourceReader, Start } from '../source.js';
import { isEntryId } from './entry.js';
import { StreamHead } from './head.js';
import { RedisReader } from './reader.js';

export class RedisSource implements Source {
  readonly name: string;
  readonly #url: string;
  readonly #client: RedisClient;
  readonly #head: StreamHead;
  #closing: Promise<void> | undefined;

  private constructor(url: string, key: string, client: RedisClient, blocking: RedisClient) {
    this.#url = url;
    this.name = key;
    this.#client = client;
    this.#head = new StreamHead(key, blocking, client);
  }

  /** Fails (exit 1, one line naming the URL) when Redis cannot be reached now. */
  static async open(url: string, key: string, onWarning: (message: string) => void): Promise<RedisSource> {
    const client = await openRedis(url, { name: 'evlog-serve', onError: onWarning });
    try {
      // Any other type would answer every read with an error: serving nothing for ever says nothing.
      const type = await client.sendCommand<string>(['TYPE', key]);
      if (type !== 'stream' && type !== 'none') {
        throw new RuntimeError('EVLOG_ERR_REDIS', `Redis at ${redactRedisUrl(url)}: ${key} is a ${type}, not a stream`);
      }
      return new RedisSource(url, key, client, await openRedis(url, { name: 'evlog-serve-head' }));
    } catch (err) {
      client.destroy();
      throw err;
    }
  }

  isId(id: string): boolean {
    return isEntryId(id);
  }

  open(start: Start): SourceReader {
    return new RedisReader({ key: this.name, client: this.#client, head: this.#head }, start);
  }

  health(): Record<string, unknown> {
    return { redis: redactRedisUrl(this.#url), stream: this.name, connected: this.#client.isReady };
  }

  metrics(): MetricFamily[] {
    return [{ name: 'evlog_redis_stream_appends_seen_total', type: 'counter', help: 'Times the served Redis stream was seen to grow.', value: this.#head.wakes }];
  }

  close(): Promise<void> {
    this.#closing ??= this.#head.close().then(() => this.#client.destroy());
    return this.#closing;
  }
}
