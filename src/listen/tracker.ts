/**
 * The checkpoint position with callbacks finishing out of order: the id before which every event
 * is done. Events enter in stream order; filtered-out events ride along with the event before
 * them, so the position also moves past lines nobody needed to handle.
 */
export interface Pending {
  readonly id: string;
  /** The last filtered-out id seen after this event; committing this event commits it too. */
  after?: string;
  done: boolean;
}

export class ContiguousTracker {
  #pending: Pending[] = [];
  readonly #onCommit: (id: string) => void;

  constructor(onCommit: (id: string) => void) {
    this.#onCommit = onCommit;
  }

  /** Events started but not yet committed (in flight, or done behind one in flight). */
  get size(): number {
    return this.#pending.length;
  }

  start(id: string): Pending {
    const entry: Pending = { id, done: false };
    this.#pending.push(entry);
    return entry;
  }

  /** An event that needs no work: committed at once unless something before it is in flight. */
  pass(id: string): void {
    const last = this.#pending[this.#pending.length - 1];
    if (last) last.after = id;
    else this.#commit(id);
  }

  finish(entry: Pending): void {
    entry.done = true;
    let advanced: Pending | undefined;
    while (this.#pending.length > 0 && this.#pending[0]!.done) advanced = this.#pending.shift();
    if (advanced) this.#commit(advanced.after ?? advanced.id);
  }

  #commit(id: string): void {
    this.#onCommit(id);
  }
}
