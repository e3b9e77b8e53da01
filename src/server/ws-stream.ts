/**
 * `GET /ws`: one WebSocket message per batch (NDJSON records or raw lines joined by `\n`), with a
 * ping/pong heartbeat that terminates peers that stopped answering.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Source, SourceReader } from '../sources/source.js';
import type { Metrics } from './metrics.js';
import { pump, type Sink } from './pump.js';
import type { StreamQuery } from './query.js';
import { START_HEADER } from '../wire/types.js';

/** Bytes queued in ws before we stop reading for that client. */
const HIGH_WATER = 1024 * 1024;

export interface WsContext {
  source: Source;
  metrics: Metrics;
  maxLineBytes: number;
}

const SEND_OPTIONS = { binary: false } as const;
const noop = (): void => undefined;

class WsSink implements Sink {
  readonly #ws: WebSocket;
  /** Each send's `onFlushed`, in send order, which is the order ws reports them flushed. */
  readonly #flushing: (() => void)[] = [];
  #waiting: (() => void) | undefined;

  constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.once('close', this.#wake);
  }

  get closed(): boolean {
    return this.#ws.readyState !== this.#ws.OPEN;
  }

  write(payload: Buffer, onFlushed: () => void = noop): boolean {
    // The encoder made ws payloads valid UTF-8. One shared callback rather than a closure per send:
    // a fan-out sends to every client at once.
    this.#flushing.push(onFlushed);
    this.#ws.send(payload, SEND_OPTIONS, this.#sent);
    return this.#ws.bufferedAmount < HIGH_WATER;
  }

  drained(): Promise<void> {
    if (this.closed || this.#ws.bufferedAmount < HIGH_WATER) return Promise.resolve();
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  readonly #sent = (): void => {
    this.#flushing.shift()?.();
    this.#wake();
  };

  /** After each send is flushed (or failed), and at close. */
  readonly #wake = (): void => {
    if (!this.#waiting || (!this.closed && this.#ws.bufferedAmount >= HIGH_WATER)) return;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting();
  };
}

export class WsEndpoint {
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });
  readonly #ctx: WsContext;
  readonly #alive = new WeakMap<WebSocket, boolean>();
  readonly #heartbeat: NodeJS.Timeout;

  /** The id each upgrade's stream starts after, for its response headers. */
  readonly #startIds = new WeakMap<IncomingMessage, string>();

  constructor(ctx: WsContext, pingMs: number) {
    this.#ctx = ctx;
    this.#wss.on('headers', (headers, req) => {
      const startId = this.#startIds.get(req);
      if (startId !== undefined) headers.push(`${START_HEADER}: ${startId}`);
    });
    this.#heartbeat = setInterval(() => this.#ping(), pingMs);
    this.#heartbeat.unref();
  }

  get clients(): Set<WebSocket> {
    return this.#wss.clients;
  }

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, query: StreamQuery): Promise<void> {
    const reader = this.#ctx.source.open(query.startAt, { maxLineBytes: this.#ctx.maxLineBytes });
    let served = false;
    // A handshake that fails (or a peer that leaves first) never reaches #serve.
    socket.once('close', () => {
      if (!served) reader.close();
    });
    const startId = await reader.resumeId();
    if (socket.destroyed) return;
    if (startId !== undefined) this.#startIds.set(req, startId);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      served = true;
      // A failed read ends this client only; it must never become an unhandled rejection.
      this.#serve(ws, reader, query).catch(() => ws.terminate());
    });
  }

  async #serve(ws: WebSocket, reader: SourceReader, query: StreamQuery): Promise<void> {
    const { metrics, maxLineBytes } = this.#ctx;
    metrics.readers.add(reader);
    this.#alive.set(ws, true);
    ws.on('pong', () => this.#alive.set(ws, true));
    ws.on('close', () => reader.close());
    ws.on('error', () => reader.close());
    metrics.clients.ws++;
    metrics.connections.ws++;
    try {
      await pump(reader, new WsSink(ws), { encoding: query.encoding, maxLineBytes, match: query.match, invert: query.invert }, (encoded) =>
        metrics.count('ws', encoded),
      );
    } finally {
      reader.close();
      metrics.readers.delete(reader);
      metrics.clients.ws--;
    }
  }

  #ping(): void {
    for (const ws of this.#wss.clients) {
      if (!this.#alive.get(ws)) {
        ws.terminate();
        continue;
      }
      this.#alive.set(ws, false);
      ws.ping();
    }
  }

  /** Close code 1001 (going away), then cut whoever has not finished the closing handshake. */
  async close(graceMs: number): Promise<void> {
    clearInterval(this.#heartbeat);
    const closed = [...this.#wss.clients].map((ws) => {
      ws.close(1001, 'server shutting down');
      return once(ws, 'close');
    });
    await Promise.race([Promise.all(closed), sleep(graceMs, undefined, { ref: false })]);
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
