/**
 * `GET /ws`: one WebSocket message per batch (NDJSON records or raw lines joined by `\n`), with a
 * ping/pong heartbeat that terminates peers that stopped answering.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Sink } from './pump.js';
import { BadRequest, type StreamQuery } from './query.js';
import { refusal, type Refusal } from './respond.js';
import { Subscription, type Admitted, type SubscribeContext } from './subscribe.js';
import { START_HEADER } from '../wire/types.js';

/** Bytes queued in ws before we stop reading for that client. */
const HIGH_WATER = 1024 * 1024;

export type WsEncoding = 'ws-text' | 'ws-ndjson';

/** A message per batch: NDJSON records unless `format=text`; there is no Accept to go by. */
export function negotiateWs(format: string | null): WsEncoding {
  if (format === null || format === 'ndjson') return 'ws-ndjson';
  if (format === 'text') return 'ws-text';
  throw new BadRequest(`format: expected text or ndjson, got '${format}'`);
}

/**
 * What is wrong with an upgrade's WebSocket handshake, as a refusal with a one-line reason (ws's
 * own answer to a bad one is an HTML-typed body without a line end), or undefined when it is fine.
 */
export function handshakeRefusal(req: IncomingMessage): Refusal | undefined {
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return refusal(400, 'bad request: Upgrade must be websocket');
  const key = req.headers['sec-websocket-key'];
  // 16 random bytes in base64 (RFC 6455, 4.1).
  if (key === undefined || !/^[+/0-9A-Za-z]{22}==$/.test(key.trim())) return refusal(400, 'bad request: missing or invalid Sec-WebSocket-Key');
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') return refusal(400, 'bad request: Sec-WebSocket-Version must be 13', { 'sec-websocket-version': '13' });
  return undefined;
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
  readonly #ctx: SubscribeContext;
  readonly #alive = new WeakMap<WebSocket, boolean>();
  readonly #heartbeat: NodeJS.Timeout;

  /** The id each upgrade's stream starts after, for its response headers. */
  readonly #startIds = new WeakMap<IncomingMessage, string>();

  constructor(ctx: SubscribeContext, pingMs: number) {
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

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, query: Admitted<WsEncoding | 'sse-batch'>): Promise<void> {
    const subscription = new Subscription(this.#ctx, query);
    let served = false;
    // A handshake that fails (or a peer that leaves first) never reaches #serve.
    socket.once('close', () => {
      if (!served) subscription.close();
    });
    const startId = await subscription.startId();
    if (socket.destroyed) return;
    if (startId !== undefined) this.#startIds.set(req, startId);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      served = true;
      // A failed read ends this client only; it must never become an unhandled rejection.
      this.#serve(ws, subscription, query.encoding).catch(() => ws.terminate());
    });
  }

  async #serve(ws: WebSocket, subscription: Subscription, encoding: StreamQuery['encoding']): Promise<void> {
    this.#alive.set(ws, true);
    ws.on('pong', () => this.#alive.set(ws, true));
    ws.on('close', () => subscription.close());
    ws.on('error', () => subscription.close());
    await subscription.run('ws', new WsSink(ws), encoding);
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
