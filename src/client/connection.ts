/** What a transport hands the reconnecting client: batches of NDJSON lines, in order. */
import type { Readable } from 'node:stream';

export interface Connection {
  /** The next lines received (at least one), or undefined once the server ended the stream. */
  next(): Promise<string[] | undefined>;
  close(): void;
}

export interface OpenOptions {
  /** The full endpoint URL, query included. */
  url: URL;
  token?: string;
  /** A longer line means a broken peer: fail instead of growing memory. */
  maxLineBytes: number;
}

/**
 * Batches from a stream of lines: everything already buffered comes out in one call, and the
 * stream's own backpressure pauses the socket while nobody asks.
 */
export function batchesOf(lines: Readable, onClose: () => void): Connection {
  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  lines.on('readable', poke);
  lines.on('end', () => {
    ended = true;
    poke();
  });
  lines.on('error', (err) => {
    failure ??= err;
    poke();
  });
  lines.on('close', () => {
    // Closed without 'end': the connection broke mid-stream.
    if (!ended) failure ??= new Error('connection closed');
    poke();
  });
  return {
    async next() {
      for (;;) {
        const batch: string[] = [];
        for (let line = lines.read() as string | null; line !== null; line = lines.read() as string | null) {
          if (line !== '') batch.push(line);
        }
        if (batch.length > 0) return batch;
        if (failure) throw failure;
        if (ended) return undefined;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    close: onClose,
  };
}
