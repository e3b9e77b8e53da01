/**
 * `evlog serve` as a library: one server (HTTP, or HTTPS with `tls`) for every transport, following
 * one file (what it does with each request is app.ts). `createServer()` resolves once it listens;
 * `close()` ends every stream and resolves within the shutdown budget, the same promise every time.
 * `createHandler()` is the same without a server of its own, for an `http.Server` the caller owns
 * (as ws's `noServer` mode and `handleUpgrade` do).
 */
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../errors.js';
import { Channels } from '../sources/channels.js';
import { Discovery } from '../sources/discover.js';
import { isGlob } from '../sources/glob-watch.js';
import { FileSource } from '../sources/file/index.js';
import { RedisSource } from '../sources/redis/index.js';
import { openRedis } from '../redis/client.js';
import { Mirror } from '../redis/mirror.js';
import { defaultStateRoot, MergedSource, serverStateDir } from '../sources/merge/index.js';
import type { Follower } from '../sources/file/follower.js';
import { listenOn, urlFor } from '../bind.js';
import { makeApp, type App } from './app.js';
import { MAX_HEADER_BYTES, onClientError } from './client-error.js';
import { rawAnswer, refusal } from './respond.js';
import { MAX_HEADER_COUNT } from './guard.js';
import { resolveServerOptions, type ResolvedServerOptions, type ServerOptions } from './options.js';

export type { ServerOptions, TlsFiles } from './options.js';

export interface EvlogServer {
  /** `http://host:port` (`https://` with TLS) with the real port. */
  readonly url: string;
  readonly port: number;
  /**
   * The first followed file's state (rotations, truncations), for tests and diagnostics; not an API
   * to build on. A server of a Redis stream has none (reading it throws).
   */
  readonly follower: Follower;
  /** The followed files by name, for the same purposes. */
  readonly channels: Channels;
  close(): Promise<void>;
}

/** Options of a handler: a server's, but the caller's server binds the port and holds any TLS. */
export type HandlerOptions = Omit<ServerOptions, 'port' | 'tls'>;

export interface EvlogHandler {
  /** Answers a request for one of evlog's paths (`/stream`, `/ws`, `/files`, `/healthz`, `/metrics`, `/`, `/assets/…`). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Takes over an upgrade request (`/ws`), from the server's `upgrade` event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Ends every stream (WebSocket peers get the shutdown grace) and stops following the file. */
  close(): Promise<void>;
}

/** A bad certificate or key must fail before anything starts, as a usage error. */
function checkTls(opts: ResolvedServerOptions): void {
  if (!opts.tls) return;
  try {
    createSecureContext({ cert: opts.tls.cert, key: opts.tls.key });
  } catch (err) {
    throw new UsageError('EVLOG_ERR_TLS', `cannot use the TLS certificate and key: ${(err as Error).message}`, { cause: err });
  }
}

function listener(opts: ResolvedServerOptions, handler: RequestListener) {
  const common = {
    maxHeaderSize: MAX_HEADER_BYTES,
    // The guard refuses a missing Host with a reason (guard.ts).
    requireHostHeader: false,
    headersTimeout: opts.headersTimeoutMs,
    // Node looks for late heads only this often (30 s by default): a quarter of the timeout.
    connectionsCheckingInterval: Math.max(50, Math.min(opts.headersTimeoutMs / 4, 30_000)),
  };
  const server = opts.tls
    ? createHttpsServer({ ...common, cert: opts.tls.cert, key: opts.tls.key, handshakeTimeout: opts.headersTimeoutMs }, handler)
    : createHttpServer(common, handler);
  // Node's head timer starts with the first byte: a connection that sends nothing would be kept for
  // good. Its socket times out (Node then destroys it) unless a request or an upgrade comes first.
  server.on(opts.tls ? 'secureConnection' : 'connection', (socket: Socket) => socket.setTimeout(opts.headersTimeoutMs));
  const asked = (req: IncomingMessage): void => void req.socket.setTimeout(0);
  server.on('request', asked);
  server.on('upgrade', asked);
  return server;
}

/** The merged stream, for a server of more than one file or of a glob (one file keeps its own ids). */
function merge(opts: ResolvedServerOptions, channels: Channels): MergedSource | undefined {
  if (opts.files.length < 2 && !isGlob(opts.files[0]!)) return undefined;
  const dir = serverStateDir(opts.stateDir ?? defaultStateRoot(), opts.files);
  return new MergedSource(channels, { dir, maxBytes: opts.stateMaxBytes, maxLineBytes: opts.maxLineBytes, onWarning: opts.onWarning });
}

interface Opened {
  opts: ResolvedServerOptions;
  app: App;
  channels: Channels;
  /** Stops following the files (after the clients are gone). */
  stop(): Promise<void>;
}

/**
 * What a server and a handler share: the options checked, the files followed (each path, and the
 * matches of each glob as they come and go: see discover.ts), the app.
 */
async function open(options: ServerOptions): Promise<Opened> {
  const opts = resolveServerOptions(options);
  checkTls(opts);
  const channels = new Channels();
  if (opts.stream !== undefined) {
    channels.add(opts.stream, await RedisSource.open(opts.files[0]!, opts.stream, opts.onWarning));
    return { opts, channels, app: makeApp(opts, channels), stop: () => channels.close() };
  }
  // Redis first: one that cannot be reached is said before any file is watched.
  const redis = opts.redis === undefined ? undefined : await openRedis(opts.redis, { name: 'evlog-mirror', onError: opts.onWarning });
  let discovery: Discovery | undefined;
  let merged: MergedSource | undefined;
  try {
    // Before the files are found: each is indexed as it is added, while its descriptor is still open.
    merged = merge(opts, channels);
    discovery = await Discovery.start(opts.files, channels, { ...opts, exclude: opts.stateDir ?? defaultStateRoot() });
    await merged?.ready();
  } catch (err) {
    redis?.destroy();
    discovery?.close();
    await channels.close();
    await merged?.close();
    throw err;
  }
  const mirror = redis && new Mirror(channels, redis, { prefix: opts.redisPrefix, maxlen: opts.redisMaxlen, maxLineBytes: opts.maxLineBytes, onWarning: opts.onWarning });
  const stop = async (): Promise<void> => {
    await mirror?.close();
    discovery.close();
    await channels.close();
    await merged?.close();
  };
  return { opts, channels, app: makeApp(opts, channels, merged, () => mirror?.metrics() ?? []), stop };
}

export async function createHandler(options: HandlerOptions): Promise<EvlogHandler> {
  const { tls: _tls, port: _port, ...rest } = options as ServerOptions;
  const { opts, app, stop } = await open(rest);
  let closing: Promise<void> | undefined;
  return {
    handle: (req, res) => app.request(req, res),
    handleUpgrade: (req, socket, head) => app.upgrade(req, socket, head),
    close: () => (closing ??= app.close(opts.shutdownGraceMs).then(stop)),
  };
}

export async function createServer(options: ServerOptions): Promise<EvlogServer> {
  const { opts, channels, app, stop } = await open(options);
  const server = listener(opts, (req, res) => app.request(req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => app.upgrade(req, socket, head));
  server.on('clientError', onClientError);
  // Node closes a CONNECT (a proxy tunnel request) without a word when nobody listens for it.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => rawAnswer(socket, refusal(405, 'method not allowed', { allow: 'GET' })));
  // One more than we serve, so that too many fields is seen and answered (guard.ts).
  server.maxHeadersCount = MAX_HEADER_COUNT + 1;

  let address;
  try {
    address = await listenOn(server, opts.port, opts.host);
  } catch (err) {
    await Promise.all([stop(), app.close(0)]);
    throw err;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = once(server, 'close');
      server.close();
      await app.close(opts.shutdownGraceMs);
      server.closeAllConnections();
      await stop();
      await Promise.race([closed, sleep(opts.shutdownGraceMs, undefined, { ref: false })]);
    })();
    return closing;
  };

  return {
    url: urlFor(address, opts.tls !== undefined),
    port: address.port,
    get follower(): Follower {
      const first = channels.list()[0]?.source;
      if (!(first instanceof FileSource)) throw new TypeError('no file is followed (yet, or at all: a server of a Redis stream)');
      return first.follower;
    },
    channels,
    close,
  };
}
