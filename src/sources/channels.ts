/**
 * Channels: the names a server serves its sources under, one per followed file (named by its path
 * as given or as matched). The set changes while the server runs: a file that comes to match a glob
 * is added, one that goes away is removed once drained; listeners hear both, in order.
 */
import { EventEmitter } from 'node:events';
import { globMatcher, isGlob } from './glob.js';
import type { Source } from './source.js';

export interface Channel {
  readonly name: string;
  readonly source: Source;
}

interface ChannelEvents {
  add: [Channel];
  remove: [Channel];
}

export class Channels extends EventEmitter<ChannelEvents> {
  readonly #channels = new Map<string, Channel>();

  /** Channels in the order they were added. */
  list(): Channel[] {
    return [...this.#channels.values()];
  }

  get size(): number {
    return this.#channels.size;
  }

  /** The channel called `name`; with no name, the only channel (undefined when there are several). */
  get(name?: string): Source | undefined {
    if (name !== undefined) return this.#channels.get(name)?.source;
    return this.#channels.size === 1 ? this.#channels.values().next().value!.source : undefined;
  }

  add(name: string, source: Source): Channel {
    if (this.#channels.has(name)) throw new TypeError(`channel ${name} exists`);
    const channel = { name, source };
    this.#channels.set(name, channel);
    this.emit('add', channel);
    return channel;
  }

  /** Takes the channel out and closes its source. */
  async remove(name: string): Promise<void> {
    const channel = this.#channels.get(name);
    if (!channel) return;
    this.#channels.delete(name);
    this.emit('remove', channel);
    await channel.source.close();
  }

  close(): Promise<void> {
    const all = this.list();
    this.#channels.clear();
    return Promise.all(all.map((c) => c.source.close())).then(() => undefined);
  }
}

/**
 * The channels a client's `file=` values select: each is a channel name or a glob over names
 * (matched as glob.ts matches paths, `dot` included, so `logs/*.log` selects `logs/.x.log` too).
 * No values: every channel.
 */
export function channelSelector(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => true;
  const exact = new Set(patterns);
  const globs = patterns.filter(isGlob).map((p) => globMatcher(p, { dot: true }));
  return (name) => exact.has(name) || globs.some((m) => m(name));
}
