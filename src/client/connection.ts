/** What a transport hands the reconnecting client: NDJSON lines as bytes, in order. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { START_HEADER } from '../wire/types.js';

export interface Connection {
  /** The id the server says this stream starts after, when it says. */
  startId?: string;
  /**
   * The next chunks received (at least one), or undefined once the server ended the stream. Each
   * holds whole NDJSON lines, each ended by `\n` but perhaps the last; empty lines may be among them.
   */
  next(): Promise<Buffer[] | undefined>;
  close(): void;
}

/** The start header's value, if the server sent one. */
export function startIdOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[START_HEADER];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export interface OpenOptions {
  /** The full endpoint URL, query included. */
  url: URL;
  token?: string;
  /** PEM certificates to trust for https:// and wss:// instead of the system's CAs. */
  ca?: string | Buffer;
  /** A longer line means a broken peer: fail instead of growing memory. */
  maxLineBytes: number;
}

/**
 * Chunks from a stream of chunks of lines: everything already buffered comes out in one call, and
 * the stream's own backpressure pauses the socket while nobody asks.
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
        let batch: Buffer[] | undefined;
        for (let more = lines.read() as Buffer | null; more !== null; more = lines.read() as Buffer | null) (batch ??= []).push(more);
        if (batch !== undefined) return batch;
        if (failure) throw failure;
        if (ended) return undefined;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    close: onClose,
  };
}
