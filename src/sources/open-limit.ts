/**
 * At most `max` of some asynchronous work at a time, the rest queued in order. A glob that matches
 * 10,000 files at start-up must not open them all at once: every opening in flight holds its
 * promises, stats and buffers until it ends, so 10,000 at once outlive the young generation and
 * leave the old one tens of megabytes larger than the followed files need, for good (the process's
 * resident memory does not shrink back).
 */
export class Limit {
  readonly #max: number;
  #running = 0;
  readonly #queue: (() => void)[] = [];

  constructor(max: number) {
    this.#max = max;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#max) await new Promise<void>((resolve) => this.#queue.push(resolve));
    else this.#running++;
    try {
      return await work();
    } finally {
      // The slot goes straight to the next in the queue (the count stays), or is freed.
      const next = this.#queue.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
