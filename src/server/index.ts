/**
 * `evlog serve` as a library: one server (HTTP, or HTTPS with `tls`) for every transport, following
 * one file. Every request, upgrade or not, passes the guard before routing (guard.ts).
 * `createServer()` resolves once it listens; `close()` ends every stream and resolves within the
 * shutdown budget, the same promise every time.
 */
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../errors.js';
import { Channels } from '../sources/channels.js';
import { FileSource } from '../sources/file/index.js';
import type { Follower } from '../sources/file/follower.js';
import { listenOn, urlFor } from '../listen-port.js';
import { makeTokenCheck } from './auth.js';
import { MAX_HEADER_BYTES, onClientError } from './client-error.js';
import { isLoopbackAddress, makeGuard, MAX_HEADER_COUNT, preflightHeaders } from './guard.js';
import { serveHttpStream } from './http-stream.js';
import { Metrics } from './metrics.js';
import { BadRequest, parseStreamQuery, type StreamQuery } from './query.js';
import { isRefusal, plain, rawAnswer, refusal, refuse, type Refusal } from './respond.js';
import { LiveView } from './static.js';
import { WsEndpoint } from './ws-stream.js';
import { resolveServerOptions, type ResolvedServerOptions, type ServerOptions } from './options.js';

export type { ServerOptions, TlsFiles } from './options.js';

export interface EvlogServer {
  /** `http://host:port` (`https://` with TLS) with the real port. */
  readonly url: string;
  readonly port: number;
  readonly follower: Follower;
  close(): Promise<void>;
}

const UNAUTHORIZED = refusal(401, 'unauthorized: missing or wrong token', { 'www-authenticate': 'Bearer' });
const API_ROUTES = new Set(['/stream', '/healthz', '/metrics', '/ws']);

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
  const common = { maxHeaderSize: MAX_HEADER_BYTES };
  return opts.tls ? createHttpsServer({ ...common, cert: opts.tls.cert, key: opts.tls.key }, handler) : createHttpServer(common, handler);
}

export async function createServer(options: ServerOptions): Promise<EvlogServer> {
  const opts = resolveServerOptions(options);
  checkTls(opts);
  const file = await FileSource.open(opts.file, { pollMs: opts.pollMs, onWarning: opts.onWarning });
  const channels = new Channels([['default', file]]);
  const source = channels.get()!;
  const metrics = new Metrics();
  const authorized = makeTokenCheck(opts.token);
  const guard = makeGuard({
    checkHost: isLoopbackAddress(opts.host) || opts.allowHosts.length > 0,
    allowHosts: opts.allowHosts,
    allowOrigins: opts.allowOrigins,
  });
  const openStreams = new Set<ServerResponse>();
  const liveView = new LiveView();
  const ws = new WsEndpoint({ source, metrics, maxLineBytes: opts.maxLineBytes }, opts.wsPingMs);
  const httpCtx = { source, metrics, maxLineBytes: opts.maxLineBytes, sseHeartbeatMs: opts.sseHeartbeatMs, open: openStreams };

  /** Anyone may learn the server is up; what it serves is for those holding the token. */
  const health = (detailed: boolean): object => detailed ? {
    status: 'ok',
    ...source.health(),
    clients: { ...metrics.clients, total: metrics.totalClients },
    maxLagBytes: metrics.maxLagBytes,
  } : { status: 'ok' };

  /** The same checks, in the same order, for a stream over HTTP and over WebSocket. */
  const admit = (req: IncomingMessage, url: URL, isWs: boolean): { query: StreamQuery } | Refusal => {
    if (!authorized(req, url)) return UNAUTHORIZED;
    let query;
    try {
      query = parseStreamQuery(url, req.headers, isWs, (id) => source.isId(id));
    } catch (err) {
      if (err instanceof BadRequest) return refusal(400, `bad request: ${err.message}`);
      throw err;
    }
    if (metrics.totalClients >= opts.maxClients) {
      metrics.rejected++;
      return refusal(503, 'too many clients', { 'retry-after': '1' });
    }
    return { query };
  };

  const route = (req: IncomingMessage, res: ServerResponse): void => {
    const checked = guard(req);
    if (isRefusal(checked)) return refuse(res, checked);
    const { url, cors } = checked;
    const path = url.pathname;
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    if (req.method === 'OPTIONS') return void res.writeHead(204, { allow: 'GET, HEAD, OPTIONS', ...(cors['access-control-allow-origin'] && preflightHeaders(cors)) }).end();
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed', { allow: 'GET, HEAD, OPTIONS' });
    // The page holds no data, so it loads without the token and asks for one on a 401.
    if (LiveView.owns(path)) return void liveView.serve(req, res, path).catch(() => res.destroy());
    if (!API_ROUTES.has(path)) return plain(res, 404, `not found: ${path.slice(0, 200)}`);
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return void res.end(`${JSON.stringify(health(authorized(req, url)))}\n`);
    }
    if (!authorized(req, url)) return refuse(res, UNAUTHORIZED);
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(metrics.render(source));
    }
    if (path === '/ws') return plain(res, 426, 'upgrade required: /ws is a WebSocket endpoint', { upgrade: 'websocket' });
    const admitted = admit(req, url, false);
    if (isRefusal(admitted)) return refuse(res, admitted);
    serveHttpStream(req, res, admitted.query, httpCtx).catch(() => res.destroy());
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const checked = guard(req);
    if (isRefusal(checked)) return rawAnswer(socket, checked);
    const path = checked.url.pathname;
    if (path !== '/ws') return rawAnswer(socket, refusal(404, `not found: ${path.slice(0, 200)}`));
    if (req.method !== 'GET') return rawAnswer(socket, refusal(405, 'method not allowed', { allow: 'GET' }));
    const admitted = admit(req, checked.url, true);
    if (isRefusal(admitted)) return rawAnswer(socket, admitted);
    ws.upgrade(req, socket, head, admitted.query).catch(() => socket.destroy());
  };

  // A bug in a handler must cost one request, never the server and every other client.
  const server = listener(opts, (req, res) => {
    try {
      route(req, res);
    } catch {
      if (res.headersSent) res.destroy();
      else plain(res, 500, 'internal error');
    }
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      upgrade(req, socket, head);
    } catch {
      rawAnswer(socket, refusal(500, 'internal error'));
    }
  });
  server.on('clientError', onClientError);
  // One more than we serve, so that too many fields is seen and answered (guard.ts).
  server.maxHeadersCount = MAX_HEADER_COUNT + 1;

  let address;
  try {
    address = await listenOn(server, opts.port, opts.host);
  } catch (err) {
    await Promise.all([channels.close(), ws.close(0)]);
    throw err;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = once(server, 'close');
      server.close();
      for (const res of openStreams) res.end();
      await ws.close(opts.shutdownGraceMs);
      server.closeAllConnections();
      await channels.close();
      await Promise.race([closed, sleep(opts.shutdownGraceMs, undefined, { ref: false })]);
    })();
    return closing;
  };

  return { url: urlFor(address, opts.tls !== undefined), port: address.port, follower: file.follower, close };
}
