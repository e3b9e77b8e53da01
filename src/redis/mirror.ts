/**
 * The mirror (`serve FILE... --redis URL`): every line of every channel appended to its stream,
 * exactly once. Every entry carries the evlog id of the position after its line, and lines are
 * appended in order in atomic calls that also store that position beside the stream and refuse to
 * append unless the stored position is the one the mirror continued from (append.ts). On start and
 * after any failure the position is read back from Redis, never from memory; when another mirror
 * appended meanwhile, this one resumes after what that one wrote. The file is the buffer: while
 * Redis is away the reader is simply not asked for more, so nothing queues up here.
 */
import type { Channel, Channels } from '../sources/channels.js';
import type { MetricFamily, SourceReader } from '../sources/source.js';
import { sleep } from '../sleep.js';
import { describeSystemError } from '../errors.js';
import { appendEntries, PositionMoved, readPosition } from './append.js';
import { batchEntries } from './entries.js';
import type { RedisClient } from './client.js';

export interface MirrorOptions {
  prefix: string;
  maxlen: number;
  maxLineBytes: number;
  /** Told once per failure (and once when the mirror is back). */
  onWarning: (message: string) => void;
  /** Ceiling of the wait between two attempts after a failure (ms). */
  maxBackoffMs?: number;
}

class ChannelMirror {
  readonly #channel: Channel;
  readonly #key: string;
  readonly #client: RedisClient;
  readonly #opts: MirrorOptions;
  readonly #stats: MirrorStats;
  readonly #stop = new AbortController();
  #reader: SourceReader | undefined;
  readonly done: Promise<void>;

  constructor(channel: Channel, client: RedisClient, opts: MirrorOptions, stats: MirrorStats) {
    this.#channel = channel;
    this.#key = opts.prefix + channel.name;
    this.#client = client;
    this.#opts = opts;
    this.#stats = stats;
    this.done = this.#run();
  }

  get lag(): number {
    return this.#reader?.lag ?? 0;
  }

  close(): Promise<void> {
    this.#stop.abort();
    this.#reader?.close();
    return this.done;
  }

  async #run(): Promise<void> {
    const maxBackoff = this.#opts.maxBackoffMs ?? 5000;
    let backoff = 100;
    let failing = false;
    while (!this.#stop.signal.aborted) {
      try {
        let position = await readPosition(this.#client, this.#key);
        if (position !== undefined && !this.#channel.source.isId(position)) {
          // Not a position in any file: starting over would put the whole file in the stream again.
          this.#opts.onWarning(`not mirroring ${this.#channel.name}: ${this.#key} holds a position that is no evlog id of a file ('${position}'); use another --redis-prefix`);
          return;
        }
        const reader = this.#channel.source.open(position === undefined ? { kind: 'start' } : { kind: 'after', id: position }, { maxLineBytes: this.#opts.maxLineBytes });
        this.#reader = reader;
        if (this.#stop.signal.aborted) reader.close();
        for (let batch = await reader.next(); batch; batch = await reader.next()) {
          const entries = batchEntries(batch, this.#opts.maxLineBytes);
          batch.release();
          position = await appendEntries(this.#client, this.#key, this.#channel.name, this.#opts.maxlen, position, entries);
          this.#stats.lines += batch.gap ? 0 : entries.length;
          if (failing) this.#opts.onWarning(`mirroring ${this.#channel.name} to Redis again`);
          failing = false;
          backoff = 100;
        }
        return;
      } catch (err) {
        this.#reader?.close();
        if (this.#stop.signal.aborted) return;
        // Another mirror of this key appended first: carry on after what it wrote.
        if (err instanceof PositionMoved) continue;
        this.#stats.errors++;
        if (!failing) this.#opts.onWarning(`mirror of ${this.#channel.name} to Redis paused: ${describeSystemError(err as Error)}; retrying`);
        failing = true;
        await sleep(backoff * (0.5 + Math.random() / 2), this.#stop.signal);
        backoff = Math.min(maxBackoff, backoff * 2);
      }
    }
  }
}

interface MirrorStats {
  lines: number;
  errors: number;
}

export class Mirror {
  readonly #client: RedisClient;
  readonly #opts: MirrorOptions;
  readonly #channels: Channels;
  readonly #mirrors = new Map<string, ChannelMirror>();
  readonly #stats: MirrorStats = { lines: 0, errors: 0 };
  readonly #onAdd = (channel: Channel): void => this.#add(channel);
  readonly #onRemove = (channel: Channel): void => {
    void this.#mirrors.get(channel.name)?.close();
    this.#mirrors.delete(channel.name);
  };
  #closing: Promise<void> | undefined;

  /** Mirrors every channel of `channels`, and those added later, through `client` (the mirror's own). */
  constructor(channels: Channels, client: RedisClient, opts: MirrorOptions) {
    this.#client = client;
    this.#opts = opts;
    this.#channels = channels;
    for (const channel of channels.list()) this.#add(channel);
    channels.on('add', this.#onAdd);
    channels.on('remove', this.#onRemove);
  }

  #add(channel: Channel): void {
    if (!this.#closing) this.#mirrors.set(channel.name, new ChannelMirror(channel, this.#client, this.#opts, this.#stats));
  }

  metrics(): MetricFamily[] {
    let lag = 0;
    for (const m of this.#mirrors.values()) lag += m.lag;
    return [
      { name: 'evlog_redis_mirrored_lines_total', type: 'counter', help: 'Lines appended to Redis streams by the mirror.', value: this.#stats.lines },
      { name: 'evlog_redis_mirror_lag_bytes', type: 'gauge', help: 'Bytes of the followed files not yet in their Redis streams.', value: lag },
      { name: 'evlog_redis_mirror_errors_total', type: 'counter', help: 'Failed writes to Redis (each retried from the position the stream holds).', value: this.#stats.errors },
    ];
  }

  /** Stops mirroring (what is in Redis stays exact: a batch is all there or not at all) and closes the client. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#channels.off('add', this.#onAdd);
      this.#channels.off('remove', this.#onRemove);
      const mirrors = [...this.#mirrors.values()];
      this.#mirrors.clear();
      // A batch in flight is abandoned with the connection: all of it landed or none did.
      const stopped = Promise.all(mirrors.map((m) => m.close()));
      this.#client.destroy();
      await stopped;
    })();
    return this.#closing;
  }
}
