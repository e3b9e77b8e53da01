/** `--stdin`: every input line becomes a log line, with the writer's backpressure pausing input. */
import type { Readable } from 'node:stream';
import split2 from 'split2';
import { RuntimeError } from '../errors.js';
import type { EventWriter } from './writer.js';

/** Input that never ends a line must not grow memory without bound; past this it is an error. */
export const MAX_STDIN_LINE = 8 * 1024 * 1024;

export interface StdinOptions {
  input: Readable;
  count?: number;
  signal?: AbortSignal;
}

export async function runStdin(writer: EventWriter, opts: StdinOptions): Promise<void> {
  const limit = opts.count ?? Number.POSITIVE_INFINITY;
  const lines = split2({ maxLength: MAX_STDIN_LINE });
  opts.input.pipe(lines);
  const stop = (): void => {
    opts.input.unpipe(lines);
    lines.end();
  };
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    if (limit === 0) return;
    for await (const line of lines as AsyncIterable<string>) {
      // A blank line carries no event; appending it would only add noise to the log.
      if (line === '') continue;
      if (!writer.writeLine(line)) await writer.drain();
      if (writer.written >= limit) break;
    }
  } catch (err) {
    if ((err as Error).message === 'maximum buffer reached') {
      throw new RuntimeError('EVLOG_ERR_LINE_TOO_LONG', `an input line is longer than ${MAX_STDIN_LINE} bytes`, { cause: err });
    }
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    opts.input.unpipe(lines);
    // Release the input so an open terminal or pipe does not keep the process alive.
    opts.input.destroy();
  }
}
