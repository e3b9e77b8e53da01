/**
 * `evlog serve` as a library: one http.Server for every transport, following one file.
 * `createServer()` resolves once it listens; `close()` ends every stream and resolves within the
 * shutdown budget, the same promise every time.
 */
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Follower } from '../follow/follower.js';
import { listenOn, urlFor } from '../listen-port.js';
import { makeTokenCheck } from './auth.js';
import { serveHttpStream } from './http-stream.js';
import { Metrics } from './metrics.js';
import { BadRequest, parseStreamQuery, type StreamQuery } from './query.js';
import { LiveView } from './static.js';
import { WsEndpoint } from './ws-stream.js';
import { resolveServerOptions, type ServerOptions } from './options.js';

export type { ServerOptions } from './options.js';

export interface EvlogServer {
  /** `http://host:port` with the real port. */
  readonly url: string;
  readonly port: number;
  readonly follower: Follower;
  close(): Promise<void>;
}

function plain(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(`${body}\n`);
}

/** An upgrade we refuse gets a real HTTP answer, so WebSocket clients can report the status. */
function refuseUpgrade(socket: Duplex, status: number, body: string, headers: Record<string, string> = {}): void {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const text = `${body}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n${extra}\r\n${text}`,
  );
}

interface Refusal {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const UNAUTHORIZED: Refusal = { status: 401, body: 'unauthorized: missing or wrong token', headers: { 'www-authenticate': 'Bearer' } };

export async function createServer(options: ServerOptions): Promise<EvlogServer> {
  const opts = resolveServerOptions(options);
  const follower = await Follower.start(opts.file, { pollMs: opts.pollMs, name: opts.file });
  follower.on('warning', (message) => opts.onWarning(message));
  const metrics = new Metrics();
  const authorized = makeTokenCheck(opts.token);
  const openStreams = new Set<ServerResponse>();
  const liveView = new LiveView();
  const ws = new WsEndpoint({ follower, metrics, maxLineBytes: opts.maxLineBytes }, opts.wsPingMs);
  const httpCtx = { follower, metrics, maxLineBytes: opts.maxLineBytes, sseHeartbeatMs: opts.sseHeartbeatMs, open: openStreams };

  const health = (): object => ({
    status: 'ok',
    file: follower.file,
    exists: follower.current !== undefined,
    size: follower.current?.size ?? 0,
    identity: follower.current ? { dev: follower.current.dev, ino: follower.current.ino } : null,
    clients: { ...metrics.clients, total: metrics.totalClients },
    maxLagBytes: metrics.maxLagBytes,
  });

  /** The same checks, in the same order, for a stream over HTTP and over WebSocket. */
  const admit = (req: IncomingMessage, url: URL, isWs: boolean): { query: StreamQuery } | Refusal => {
    if (!authorized(req, url)) return UNAUTHORIZED;
    let query;
    try {
      query = parseStreamQuery(url, req.headers, isWs);
    } catch (err) {
      if (err instanceof BadRequest) return { status: 400, body: `bad request: ${err.message}` };
      throw err;
    }
    if (metrics.totalClients >= opts.maxClients) {
      metrics.rejected++;
      return { status: 503, body: 'too many clients', headers: { 'retry-after': '1' } };
    }
    return { query };
  };

  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://evlog');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
    const route = url.pathname;
    // The page holds no data, so it loads without the token and asks for one on a 401.
    if (LiveView.owns(route)) return void liveView.serve(req, res, route).catch(() => res.destroy());
    if (route !== '/stream' && route !== '/healthz' && route !== '/metrics' && route !== '/ws') return plain(res, 404, `not found: ${route}`);
    if (!authorized(req, url)) return plain(res, UNAUTHORIZED.status, UNAUTHORIZED.body, UNAUTHORIZED.headers);
    if (route === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(`${JSON.stringify(health())}\n`);
    }
    if (route === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(metrics.render(follower));
    }
    if (route === '/ws') return plain(res, 426, 'upgrade required: /ws is a WebSocket endpoint', { upgrade: 'websocket' });
    const admitted = admit(req, url, false);
    if ('status' in admitted) return plain(res, admitted.status, admitted.body, admitted.headers);
    serveHttpStream(req, res, admitted.query, httpCtx).catch(() => res.destroy());
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://evlog');
    if (url.pathname !== '/ws') return refuseUpgrade(socket, 404, `not found: ${url.pathname}`);
    const admitted = admit(req, url, true);
    if ('status' in admitted) return refuseUpgrade(socket, admitted.status, admitted.body, admitted.headers);
    ws.upgrade(req, socket, head, admitted.query).catch(() => socket.destroy());
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  let address;
  try {
    address = await listenOn(server, opts.port, opts.host);
  } catch (err) {
    await Promise.all([follower.close(), ws.close(0)]);
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
      await follower.close();
      await Promise.race([closed, sleep(opts.shutdownGraceMs, undefined, { ref: false })]);
    })();
    return closing;
  };

  return { url: urlFor(address), port: address.port, follower, close };
}
