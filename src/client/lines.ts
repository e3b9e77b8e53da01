/**
 * NDJSON from a byte stream, a batch of lines per chunk, with memory bounded in bytes. A line is
 * only turned into a string once its `\n` arrived (a `\n` byte never sits inside a UTF-8
 * character), so a line that never ends costs its bytes up to the limit and no more, and a peer
 * that sends lines faster than they are handled fills a few batches, not thousands of lines.
 */
import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import { RuntimeError } from '../errors.js';

const NEWLINE = 0x0a;
/** Batches buffered before the socket is left unread: each is one network chunk's lines. */
const BATCHES_BUFFERED = 4;

export function recordTooLong(maxBytes: number): RuntimeError {
  return new RuntimeError('EVLOG_ERR_PROTOCOL', `the server sent a record longer than ${maxBytes} bytes`);
}

export class LineBatches extends Transform {
  readonly #maxBytes: number;
  readonly #decoder = new StringDecoder('utf8');
  /** The start of a line whose `\n` has not arrived yet, decoded piece by piece. */
  #pending: string[] = [];
  #pendingBytes = 0;

  constructor(maxLineBytes: number) {
    super({ readableObjectMode: true, readableHighWaterMark: BATCHES_BUFFERED });
    this.#maxBytes = maxLineBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const last = chunk.lastIndexOf(NEWLINE);
    // Only the first line can grow across chunks; the others fit in this one.
    const first = last === -1 ? chunk.length : chunk.indexOf(NEWLINE);
    if (this.#pendingBytes + first > this.#maxBytes) return done(recordTooLong(this.#maxBytes));
    if (last === -1) {
      this.#pending.push(this.#decoder.write(chunk));
      this.#pendingBytes += chunk.length;
      return done();
    }
    // Decoding as pieces arrive keeps no network buffers alive, and the line is made once.
    this.#pending.push(this.#decoder.write(chunk.subarray(0, last)));
    const text = this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join('');
    const rest = chunk.subarray(last + 1);
    this.#pending = rest.length > 0 ? [this.#decoder.write(rest)] : [];
    this.#pendingBytes = rest.length;
    const batch = text.split('\n').filter((line) => line !== '');
    if (batch.length > 0) this.push(batch);
    done();
  }

  override _flush(done: TransformCallback): void {
    const rest = this.#pending.join('') + this.#decoder.end();
    done(null, rest === '' ? undefined : [rest]);
  }
}
