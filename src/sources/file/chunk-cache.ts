/**
 * Readers at the live edge all ask for the same bytes at the same moment; the first read is shared
 * with the rest. Readers use it only for reads that reach the head: a lagging reader's chunks are
 * wanted by nobody else and would only hold memory. This is an optimisation: a miss reads the file, which
 * stays the source of truth. Bounded by entry count and bytes.
 */
import type { Generation } from './generation.js';

const MAX_ENTRIES = 32;
const MAX_BYTES = 4 * 1024 * 1024;

/** Bytes read once for many readers. Treat `buf` as read-only. */
export interface SharedChunk {
  buf: Buffer;
  /**
   * Work derived from these bytes, kept for the next reader that gets the same chunk (a thousand
   * clients need one encoding of a batch, not a thousand). Keys must say everything the value
   * depends on besides the bytes.
   */
  memo: Map<string, unknown>;
}

interface Entry {
  gen: Generation;
  epoch: number;
  offset: number;
  /** Bytes asked for; a short read (truncated file) may deliver fewer. */
  bytes: number;
  data: Promise<SharedChunk>;
}

export class ChunkCache {
  #entries = new Map<string, Entry>();
  #bytes = 0;
  /** The entry asked for last: the one every other reader at the edge is about to ask for. */
  #last: Entry | undefined;

  read(gen: Generation, offset: number, length: number): Promise<SharedChunk> {
    const last = this.#last;
    const hit = last && last.gen === gen && last.epoch === gen.epoch && last.offset === offset ? last : this.#entries.get(keyOf(gen, offset));
    if (hit && hit.bytes >= length) {
      this.#last = hit;
      // Fewer bytes than the entry holds are other bytes as far as the memo is concerned.
      return hit.bytes === length ? hit.data : hit.data.then((chunk) => ({ buf: chunk.buf.subarray(0, length), memo: new Map() }));
    }
    if (hit) this.#delete(hit);
    const entry: Entry = { gen, epoch: gen.epoch, offset, bytes: length, data: gen.read(offset, length).then((buf) => ({ buf, memo: new Map() })) };
    this.#entries.set(keyOf(gen, offset), entry);
    this.#last = entry;
    this.#bytes += length;
    // A short read is not kept: the bytes may be there at the next read (a parked file that was
    // not at its path for a moment; see generation.ts).
    entry.data.then((chunk) => chunk.buf.length < length && this.#delete(entry), () => this.#delete(entry));
    while (this.#entries.size > MAX_ENTRIES || this.#bytes > MAX_BYTES) {
      this.#delete(this.#entries.values().next().value as Entry);
    }
    return entry.data;
  }

  #delete(entry: Entry): void {
    if (this.#last === entry) this.#last = undefined;
    const key = keyOf(entry.gen, entry.offset, entry.epoch);
    if (this.#entries.get(key) !== entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}

function keyOf(gen: Generation, offset: number, epoch = gen.epoch): string {
  return `${gen.serial}:${epoch}:${offset}`;
}
