/**
 * "Something changed": one promise shared by every reader waiting for the next change, settled
 * and replaced at each change. Readers take it before they look, so a change while they look still
 * ends their wait.
 */
export class ChangeSignal {
  #wait: { promise: Promise<void>; resolve: () => void } | undefined;
  #closed = false;

  /** Resolves at the next change (or at once, once closed). */
  next(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (!this.#wait) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#wait = { promise, resolve };
    }
    return this.#wait.promise;
  }

  fire(): void {
    const wait = this.#wait;
    this.#wait = undefined;
    wait?.resolve();
  }

  close(): void {
    this.#closed = true;
    this.fire();
  }
}
