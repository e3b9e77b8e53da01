/**
 * stdout for pipes: one write per batch, waits while the pipe is full, and notices a reader that
 * went away (`| head`) so the listener can end quietly instead of dying on EPIPE. Node cannot
 * poll a pipe for a departed reader, so that is noticed at the next write.
 */
import type { Writable } from 'node:stream';

export class Output {
  readonly #stream: Writable;
  #closed = false;
  #onClose: (() => void)[] = [];

  constructor(stream: Writable) {
    this.#stream = stream;
    // EPIPE is the usual way a reader leaves; any other write error leaves us just as unable to
    // print, and the listener ends the same way.
    stream.on('error', () => this.#close());
    stream.on('close', () => this.#close());
  }

  /** True once the reader is gone: further output would only fail. */
  get closed(): boolean {
    return this.#closed;
  }

  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#onClose.push(fn);
  }

  /** Resolves when the text is accepted (at once, or after the pipe drained) or the reader left. */
  async write(text: string | Buffer): Promise<void> {
    if (this.#closed || text.length === 0) return;
    if (this.#stream.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.#stream.off('drain', done);
        resolve();
      };
      this.#stream.on('drain', done);
      this.onClose(done);
    });
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose.splice(0).forEach((fn) => fn());
  }
}
