/**
 * What an evlog server does with a request and with an upgrade, whichever `http.Server` delivers
 * them. Every request, upgrade or not, passes the guard before routing (guard.ts); routes are a
 * table, and a stream's transport only picks its encoding and writes its framing (subscribe.ts does
 * the rest).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Channels } from '../sources/channels.js';
import type { MetricFamily, Source } from '../sources/source.js';
import { makeTokenCheck } from './auth.js';
import type { Encoding } from './encode.js';
import { isLoopbackAddress, makeGuard, preflightHeaders } from './guard.js';
import { negotiateHttp, serveHttpStream } from './http-stream.js';
import { fileHealth } from './file-metrics.js';
import { Metrics } from './metrics.js';
import type { ResolvedServerOptions } from './options.js';
import { BadRequest, parseStreamQuery, type Negotiate, type StreamQuery } from './query.js';
import { isRefusal, plain, rawAnswer, refusal, refuse, type Refusal } from './respond.js';
import { LiveView } from './static.js';
import { handshakeRefusal, negotiateWs, WsEndpoint } from './ws-stream.js';
import { makePicker, type Merged } from './pick.js';
import type { Admitted } from './subscribe.js';

const UNAUTHORIZED = refusal(401, 'unauthorized: missing or wrong token', { 'www-authenticate': 'Bearer' });

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

export interface App {
  request(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Ends every stream: WebSocket peers get `graceMs` to close cleanly. */
  close(graceMs: number): Promise<void>;
}

/** `GET /files`: each channel with its size and the id of its end (resuming it with `file=` gives what follows). */
async function listFiles(channels: Channels, maxLineBytes: number): Promise<{ file: string; size: number; id: string | null }[]> {
  const out = [];
  // One file at a time: thousands of files must not mean thousands of descriptors at once.
  for (const { name, source } of channels.list()) {
    const reader = source.open({ kind: 'new' }, { maxLineBytes });
    try {
      const size = source.health().size;
      out.push({ file: name, size: typeof size === 'number' ? size : 0, id: (await reader.resumeId()) ?? null });
    } finally {
      reader.close();
    }
  }
  return out;
}

/** `moreMetrics`: figures of what runs beside the streams (the Redis mirror) for `/metrics`. */
export function makeApp(opts: ResolvedServerOptions, channels: Channels, merged?: Merged, moreMetrics: () => MetricFamily[] = () => []): App {
  const picker = makePicker(channels, merged);
  const metrics = new Metrics();
  const authorized = makeTokenCheck(opts.token);
  const guard = makeGuard({
    checkHost: isLoopbackAddress(opts.host) || opts.allowHosts.length > 0,
    allowHosts: opts.allowHosts,
    allowOrigins: opts.allowOrigins,
  });
  const openStreams = new Set<ServerResponse>();
  const liveView = new LiveView();
  const streamCtx = { metrics, maxLineBytes: opts.maxLineBytes };
  const ws = new WsEndpoint(streamCtx, opts.wsPingMs);
  const httpCtx = { ...streamCtx, sseHeartbeatMs: opts.sseHeartbeatMs, open: openStreams };

  /** Anyone may learn the server is up; what it serves is for those holding the token. */
  const health = (detailed: boolean): object => {
    if (!detailed) return { status: 'ok' };
    // One file served alone: its details at the top too, as before there could be several.
    const one = channels.size === 1 && !merged ? channels.get()!.health() : {};
    return { status: 'ok', ...one, files: fileHealth(channels.list()), clients: { ...metrics.clients, total: metrics.totalClients }, maxLagBytes: metrics.maxLagBytes };
  };

  /** The same checks, in the same order, for a stream over HTTP and over WebSocket. */
  const admit = <E extends Encoding>(req: IncomingMessage, url: URL, negotiate: Negotiate<E>): Admitted<E | 'sse-batch'> | Refusal => {
    if (!authorized(req, url)) return UNAUTHORIZED;
    let query: StreamQuery<E | 'sse-batch'>;
    let source: Source;
    try {
      query = parseStreamQuery(url, req.headers, negotiate, picker.isId);
      source = picker.pick(query);
    } catch (err) {
      if (err instanceof BadRequest) return refusal(400, `bad request: ${err.message}`);
      throw err;
    }
    if (metrics.totalClients >= opts.maxClients) {
      metrics.rejected++;
      return refusal(503, 'too many clients', { 'retry-after': '1' });
    }
    return { ...query, source };
  };

  const routes = new Map<string, Route>([
    ['/healthz', (req, res, url) => {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(health(authorized(req, url)))}\n`);
    }],
    ['/metrics', (req, res, url) => {
      if (!authorized(req, url)) return refuse(res, UNAUTHORIZED);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      res.end(metrics.render(channels.list(), moreMetrics()));
    }],
    ['/files', (req, res, url) => {
      if (!authorized(req, url)) return refuse(res, UNAUTHORIZED);
      listFiles(channels, opts.maxLineBytes).then(
        (files) => {
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(`${JSON.stringify(files)}\n`);
        },
        () => plain(res, 500, 'internal error'),
      );
    }],
    ['/ws', (req, res, url) => {
      if (!authorized(req, url)) return refuse(res, UNAUTHORIZED);
      plain(res, 426, 'upgrade required: /ws is a WebSocket endpoint', { upgrade: 'websocket' });
    }],
    ['/stream', (req, res, url) => {
      const admitted = admit(req, url, negotiateHttp);
      if (isRefusal(admitted)) return refuse(res, admitted);
      serveHttpStream(req, res, admitted, httpCtx).catch(() => res.destroy());
    }],
  ]);

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
    const handler = routes.get(path);
    if (!handler) return plain(res, 404, `not found: ${path.slice(0, 200)}`);
    handler(req, res, url);
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const checked = guard(req);
    if (isRefusal(checked)) return rawAnswer(socket, checked);
    const path = checked.url.pathname;
    if (path !== '/ws') return rawAnswer(socket, refusal(404, `not found: ${path.slice(0, 200)}`));
    if (req.method !== 'GET') return rawAnswer(socket, refusal(405, 'method not allowed', { allow: 'GET' }));
    const handshake = handshakeRefusal(req);
    if (handshake) return rawAnswer(socket, handshake);
    const admitted = admit(req, checked.url, negotiateWs);
    if (isRefusal(admitted)) return rawAnswer(socket, admitted);
    ws.upgrade(req, socket, head, admitted).catch(() => socket.destroy());
  };

  return {
    // A bug in a handler must cost one request, never the server and every other client.
    request(req, res) {
      try {
        route(req, res);
      } catch {
        if (res.headersSent) res.destroy();
        else plain(res, 500, 'internal error');
      }
    },
    upgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      try {
        upgrade(req, socket, head);
      } catch {
        rawAnswer(socket, refusal(500, 'internal error'));
      }
    },
    async close(graceMs) {
      for (const res of openStreams) res.end();
      await ws.close(graceMs);
    },
  };
}
