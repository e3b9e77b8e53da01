/**
 * Readers at the live edge all ask for the same bytes at the same moment; the first read is shared
 * with the rest. Readers use it only for reads that reach the head: a lagging reader's chunks are
 * wanted by nobody else and would only hold memory. This is an optimisation: a miss reads the file, which
 * stays the source of truth. Bounded by entry count and bytes.
 */
import type { Generation } from './generation.js';

const MAX_ENTRIES = 32;
const MAX_BYTES = 4 * 1024 * 1024;

interface Entry {
  data: Promise<Buffer>;
  /** Bytes asked for; a short read (truncated file) may deliver fewer. */
  bytes: number;
}

export class ChunkCache {
  #entries = new Map<string, Entry>();
  #bytes = 0;

  /** The bytes at `offset`, shared with every other reader asking for them; treat as read-only. */
  read(gen: Generation, offset: number, length: number): Promise<Buffer> {
    const key = `${gen.serial}:${gen.epoch}:${offset}`;
    const hit = this.#entries.get(key);
    if (hit && hit.bytes >= length) {
      return hit.bytes === length ? hit.data : hit.data.then((buf) => buf.subarray(0, length));
    }
    if (hit) this.#delete(key, hit);
    const data = gen.read(offset, length);
    const entry: Entry = { data, bytes: length };
    this.#entries.set(key, entry);
    this.#bytes += length;
    data.catch(() => this.#delete(key, entry));
    while (this.#entries.size > MAX_ENTRIES || this.#bytes > MAX_BYTES) {
      const [oldKey, oldEntry] = this.#entries.entries().next().value as [string, Entry];
      this.#delete(oldKey, oldEntry);
    }
    return data;
  }

  #delete(key: string, entry: Entry): void {
    if (this.#entries.get(key) !== entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
