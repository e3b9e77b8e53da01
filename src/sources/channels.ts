/**
 * Channels: the names a server serves its sources under. One channel today, the followed file;
 * a request names no channel and gets the default one.
 */
import type { Source } from './source.js';

export class Channels {
  readonly #sources: ReadonlyMap<string, Source>;
  readonly #default: Source;

  /** `sources` in order; the first is the default. */
  constructor(sources: readonly (readonly [string, Source])[]) {
    if (sources.length === 0) throw new TypeError('a server needs at least one channel');
    this.#sources = new Map(sources);
    this.#default = sources[0]![1];
  }

  /** The channel called `name`, or the default one when no name is given. */
  get(name?: string): Source | undefined {
    return name === undefined ? this.#default : this.#sources.get(name);
  }

  close(): Promise<void> {
    return Promise.all([...this.#sources.values()].map((s) => s.close())).then(() => undefined);
  }
}
