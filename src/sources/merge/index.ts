/**
 * The merged stream of a server of several files, resumable exactly with short ids.
 *
 * Design: the server keeps one interleave order, an index with an entry per batch its head
 * readers read (head.ts, log.ts); a merged id is a position in that order (id.ts), so it stays
 * short whatever the number of files. A client replays the order from its position, reading each
 * entry's lines through its own reader of that file (reader.ts). The index is durable and bounded
 * (log.ts), so ids survive a restart, and the lines written while the server was down are indexed
 * at start-up, in one order for every client.
 */
import type { Channels } from '../channels.js';
import type { Source } from '../source.js';
import { HeadReaders } from './head.js';
import { decodeMergedId } from './id.js';
import { MergeLog } from './log.js';
import { MergedReader } from './reader.js';

import { lockStateDir } from './state-dir.js';

export { defaultStateRoot, serverStateDir } from './state-dir.js';

export interface MergeOptions {
  /** This server's own directory (see state-dir.ts). */
  dir: string;
  maxBytes: number;
  maxLineBytes: number;
  onWarning: (message: string) => void;
}

export class MergedSource {
  readonly #log: MergeLog;
  readonly #heads: HeadReaders;
  readonly #channels: Channels;
  readonly #unlock: () => void;

  constructor(channels: Channels, options: MergeOptions) {
    this.#channels = channels;
    this.#unlock = lockStateDir(options.dir);
    try {
      this.#log = new MergeLog(options.dir, options.maxBytes);
    } catch (err) {
      this.#unlock();
      throw err;
    }
    this.#heads = new HeadReaders(channels, this.#log, options.maxLineBytes, options.onWarning);
  }

  /** Resolves once what the files held at start-up is indexed (see HeadReaders.caughtUp). */
  ready(): Promise<void> {
    return this.#heads.caughtUp();
  }

  isId(id: string): boolean {
    return decodeMergedId(id) !== undefined;
  }

  /** The merged stream of the channels `select` accepts, as a source a subscription reads. */
  view(select: (name: string) => boolean): Source {
    const log = this.#log;
    const channels = this.#channels;
    return {
      name: '*',
      isId: (id) => this.isId(id),
      open: (start, { maxLineBytes }) => new MergedReader(log, channels, select, start, maxLineBytes),
      health: () => ({ entries: log.end - log.first }),
      metrics: () => [],
      close: async () => undefined,
    };
  }

  async close(): Promise<void> {
    await this.#heads.close();
    this.#log.close();
    this.#unlock();
  }
}
