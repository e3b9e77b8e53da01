/**
 * NDJSON from a byte stream, the whole lines of each chunk as they came (a line begun in earlier
 * chunks handed on alone before them), with memory bounded in bytes. A line is handed on only
 * once its `\n` arrived (a `\n` byte never sits inside a UTF-8 character), so a line that never
 * ends costs its bytes up to the limit and no more, and a peer that sends lines faster than they
 * are handled fills a few chunks, not thousands of lines. The bytes stay bytes: a listener that
 * only prints lines never makes a string of them.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { RuntimeError } from '../errors.js';

const NEWLINE = 0x0a;
/** Chunks buffered before the socket is left unread: each is one network chunk's lines. */
const BATCHES_BUFFERED = 4;

export function recordTooLong(maxBytes: number): RuntimeError {
  return new RuntimeError('EVLOG_ERR_PROTOCOL', `the server sent a record longer than ${maxBytes} bytes`);
}

export class LineBatches extends Transform {
  readonly #maxBytes: number;
  /**
   * The start of a line whose `\n` has not arrived yet, copied into one buffer that is kept for
   * the next such line: a long line then costs one string, and no garbage besides.
   */
  #carry = Buffer.allocUnsafe(0);
  #carried = 0;

  constructor(maxLineBytes: number) {
    super({ readableObjectMode: true, readableHighWaterMark: BATCHES_BUFFERED });
    this.#maxBytes = maxLineBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const last = chunk.lastIndexOf(NEWLINE);
    // Only the first line can grow across chunks; the others fit in this one.
    const first = last === -1 ? chunk.length : chunk.indexOf(NEWLINE);
    if (this.#carried + first > this.#maxBytes) return done(recordTooLong(this.#maxBytes));
    if (last === -1) {
      this.#keep(chunk);
      return done();
    }
    let from = 0;
    if (this.#carried !== 0) {
      // The line begun in earlier chunks is handed on alone, a copy (the carry buffer is kept for
      // the next such line); the chunk's other lines are handed on as they came, not copied.
      this.#keep(chunk.subarray(0, first + 1));
      this.push(Buffer.from(this.#carry.subarray(0, this.#carried)));
      this.#carried = 0;
      from = first + 1;
    }
    if (from < last + 1) this.push(chunk.subarray(from, last + 1));
    if (last + 1 < chunk.length) this.#keep(chunk.subarray(last + 1));
    done();
  }

  override _flush(done: TransformCallback): void {
    done(null, this.#carried === 0 ? undefined : Buffer.from(this.#carry.subarray(0, this.#carried)));
  }

  #keep(bytes: Buffer): void {
    const needed = this.#carried + bytes.length;
    if (needed > this.#carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(2 * this.#carry.length, this.#maxBytes + 1)));
      this.#carry.copy(grown, 0, 0, this.#carried);
      this.#carry = grown;
    }
    bytes.copy(this.#carry, this.#carried);
    this.#carried = needed;
  }
}
