/**
 * A bounded first-in-first-out list with random access: pushing beyond the capacity drops the
 * oldest item. The page keeps the lines it shows, and the ones that arrive while paused, in these,
 * so a burst (or a hidden tab, where animation frames stop) never grows memory past the limit.
 */
export class Ring<T> {
  readonly capacity: number;
  #items: Array<T | undefined>;
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number >= 1, got ${capacity}`);
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Returns the item pushed out to make room, if any. */
  push(item: T): T | undefined {
    const end = (this.#start + this.#size) % this.capacity;
    if (this.#size < this.capacity) {
      this.#items[end] = item;
      this.#size++;
      return undefined;
    }
    const dropped = this.#items[this.#start];
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.capacity;
    return dropped;
  }

  /** The item `index` places after the oldest one; undefined outside the ring. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.#size) return undefined;
    return this.#items[(this.#start + index) % this.capacity];
  }

  /** Oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#size; i++) yield this.#items[(this.#start + i) % this.capacity] as T;
  }

  /** Every item, oldest first, leaving the ring empty. */
  drain(): T[] {
    const out = [...this];
    this.clear();
    return out;
  }

  clear(): void {
    // Only the used slots: the page drains its pending lines every frame.
    for (let i = 0; i < this.#size; i++) this.#items[(this.#start + i) % this.capacity] = undefined;
    this.#start = 0;
    this.#size = 0;
  }
}
