/** `GET /stream`: chunked text, NDJSON or Server-Sent Events from one reader. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Source } from '../sources/source.js';
import type { Metrics, Transport } from './metrics.js';
import { pump, type Sink } from './pump.js';
import type { StreamQuery } from './query.js';
import { START_HEADER } from '../wire/types.js';

const contentTypes = {
  text: 'text/plain; charset=utf-8',
  ndjson: 'application/x-ndjson',
  sse: 'text/event-stream; charset=utf-8',
} as const;

export interface HttpStreamContext {
  source: Source;
  metrics: Metrics;
  maxLineBytes: number;
  sseHeartbeatMs: number;
  /** Streams still open, so shutdown can end them. */
  open: Set<ServerResponse>;
}

class ResponseSink implements Sink {
  readonly #res: ServerResponse;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  get closed(): boolean {
    return this.#res.destroyed || this.#res.writableEnded;
  }

  write(payload: Buffer, onFlushed?: () => void): boolean {
    return onFlushed ? this.#res.write(payload, onFlushed) : this.#res.write(payload);
  }

  drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#res.off('drain', done);
        this.#res.off('close', done);
        resolve();
      };
      this.#res.on('drain', done);
      this.#res.on('close', done);
    });
  }
}

/**
 * Where an SSE stream starts. An id with no data sets a browser's Last-Event-ID without an event,
 * so its own reconnect before the first record resumes there. The page (`batch=1`) also gets it
 * as a `start` event, for when it must reopen the stream itself.
 */
function sseStart(startId: string, asEvent: boolean): string {
  return asEvent ? `id: ${startId}\nevent: start\ndata: ${startId}\n` : `id: ${startId}\n`;
}

export async function serveHttpStream(req: IncomingMessage, res: ServerResponse, query: StreamQuery, ctx: HttpStreamContext): Promise<void> {
  // parseStreamQuery gives the ws-* encodings to /ws only; this narrows the type for HTTP.
  const encoding = query.encoding === 'ws-text' || query.encoding === 'ws-ndjson' ? 'text' : query.encoding;
  const format = encoding === 'sse-batch' ? 'sse' : encoding;
  const transport: Transport = format === 'sse' ? 'sse' : 'http';
  const reader = ctx.source.open(query.startAt, { maxLineBytes: ctx.maxLineBytes });
  res.on('close', () => reader.close());
  const startId = await reader.resumeId();
  res.writeHead(200, {
    'content-type': contentTypes[format],
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Reverse proxies must not hold a live stream back to fill their buffers.
    'x-accel-buffering': 'no',
    ...(startId !== undefined && { [START_HEADER]: startId }),
  });
  // Idle streams would otherwise sit undetected behind a dead peer.
  req.socket.setKeepAlive(true, 30_000);
  req.socket.setNoDelay(true);
  let heartbeat: NodeJS.Timeout | undefined;
  if (format === 'sse') {
    res.write(`retry: 1000\n${startId === undefined ? '' : sseStart(startId, encoding === 'sse-batch')}\n`);
    heartbeat = setInterval(() => res.write(': keep-alive\n\n'), ctx.sseHeartbeatMs);
  } else {
    res.flushHeaders();
  }

  ctx.metrics.readers.add(reader);
  ctx.metrics.clients[transport]++;
  ctx.metrics.connections[transport]++;
  ctx.open.add(res);
  try {
    await pump(reader, new ResponseSink(res), { encoding, maxLineBytes: ctx.maxLineBytes, match: query.match, invert: query.invert }, (encoded) =>
      ctx.metrics.count(transport, encoded),
    );
  } finally {
    clearInterval(heartbeat);
    reader.close();
    ctx.metrics.readers.delete(reader);
    ctx.open.delete(res);
    ctx.metrics.clients[transport]--;
    if (!res.writableEnded) res.end();
  }
}
