/** `GET /stream`: chunked text, NDJSON or Server-Sent Events from one reader. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport } from './metrics.js';
import type { Sink } from './pump.js';
import { BadRequest } from './query.js';
import { Subscription, type Admitted, type SubscribeContext } from './subscribe.js';
import { START_HEADER } from '../wire/types.js';

const contentTypes = {
  text: 'text/plain; charset=utf-8',
  ndjson: 'application/x-ndjson',
  sse: 'text/event-stream; charset=utf-8',
} as const;

export type HttpEncoding = 'text' | 'ndjson' | 'sse';

/** The format a `/stream` request asks for: `format=`, else its Accept header, else text. */
export function negotiateHttp(format: string | null, accept: string | undefined): HttpEncoding {
  if (format !== null) {
    if (format === 'text' || format === 'ndjson' || format === 'sse') return format;
    throw new BadRequest(`format: expected text, ndjson or sse, got '${format}'`);
  }
  if (accept?.includes('text/event-stream')) return 'sse';
  if (accept?.includes('application/x-ndjson')) return 'ndjson';
  return 'text';
}

export interface HttpStreamContext extends SubscribeContext {
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

export async function serveHttpStream(
  req: IncomingMessage,
  res: ServerResponse,
  query: Admitted<HttpEncoding | 'sse-batch'>,
  ctx: HttpStreamContext,
): Promise<void> {
  const { encoding } = query;
  const format = encoding === 'sse-batch' ? 'sse' : encoding;
  const transport: Transport = format === 'sse' ? 'sse' : 'http';
  const subscription = new Subscription(ctx, query);
  res.on('close', () => subscription.close());
  const startId = await subscription.startId();
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

  ctx.open.add(res);
  try {
    await subscription.run(transport, new ResponseSink(res), encoding);
  } finally {
    clearInterval(heartbeat);
    ctx.open.delete(res);
    if (!res.writableEnded) res.end();
  }
}
