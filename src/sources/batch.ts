/** What a source's reader hands a transport: lines, or a gap, as bytes. */
import type { Gap } from '../wire/types.js';

/**
 * A record a source hands over whole, with an id of its own (a Redis stream's entries): a line, or
 * a gap (`gap` set, no `line`).
 */
export interface SourceRecord {
  id: string;
  line?: string;
  file?: string;
  session?: string;
  event?: string;
  truncated?: boolean;
  gap?: Gap;
}

/** Lines read in one go, handed to a transport as one write. */
export interface LineBatch {
  /**
   * A record's id is `idPrefix`, its end position in base 36, then `idSuffix`: the encoder writes
   * ids as bytes without knowing what they mean (for a file, see file/cursor.ts).
   */
  idPrefix: string;
  idSuffix: string;
  /** The channel the lines come from (the followed file's name), written into every record. */
  file: string;
  /** Position of `buf[0]` (for a file, its offset). */
  base: number;
  /** Whole lines, each ending in `\n`, unless `single` is set. */
  buf: Buffer;
  /**
   * `buf` is one line without its `\n`, ending at position `end`: the head of a line longer
   * than the limit (`truncated`), or the unterminated tail of a file that was rotated away.
   */
  single?: { end: number; truncated: boolean };
  /**
   * Set by sources whose records each carry their own id: the batch is these records (in order)
   * and `buf` is empty; the id fields above are unused.
   */
  records?: readonly SourceRecord[];
  /** No lines: the stream skips what it cannot deliver, and resumes after `idPrefix + base + idSuffix`. */
  gap?: Gap & { file: string };
  /**
   * Set when the batch is a shared read that every reader at this position gets alike: work derived
   * from the batch alone can be kept here for them (see SharedChunk).
   */
  memo?: Map<string, unknown>;
  /**
   * Hands `buf`'s memory back for the next read (see buffer-pool.ts). Call it once nothing refers to
   * `buf` any more (after encoding, or once a socket has flushed it); never calling it is safe.
   */
  release(): void;
}
