/**
 * `evlog serve` as a library: one server (HTTP, or HTTPS with `tls`) for every transport, following
 * one file (what it does with each request is app.ts). `createServer()` resolves once it listens;
 * `close()` ends every stream and resolves within the shutdown budget, the same promise every time.
 */
import { createServer as createHttpServer, type IncomingMessage, type RequestListener } from 'node:http';
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
import { makeApp } from './app.js';
import { MAX_HEADER_BYTES, onClientError } from './client-error.js';
import { MAX_HEADER_COUNT } from './guard.js';
import { resolveServerOptions, type ResolvedServerOptions, type ServerOptions } from './options.js';

export type { ServerOptions, TlsFiles } from './options.js';

export interface EvlogServer {
  /** `http://host:port` (`https://` with TLS) with the real port. */
  readonly url: string;
  readonly port: number;
  readonly follower: Follower;
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
  const common = { maxHeaderSize: MAX_HEADER_BYTES };
  return opts.tls ? createHttpsServer({ ...common, cert: opts.tls.cert, key: opts.tls.key }, handler) : createHttpServer(common, handler);
}

export async function createServer(options: ServerOptions): Promise<EvlogServer> {
  const opts = resolveServerOptions(options);
  checkTls(opts);
  const file = await FileSource.open(opts.file, { pollMs: opts.pollMs, onWarning: opts.onWarning });
  const channels = new Channels([['default', file]]);
  const app = makeApp(opts, channels);
  const server = listener(opts, (req, res) => app.request(req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => app.upgrade(req, socket, head));
  server.on('clientError', onClientError);
  // One more than we serve, so that too many fields is seen and answered (guard.ts).
  server.maxHeadersCount = MAX_HEADER_COUNT + 1;

  let address;
  try {
    address = await listenOn(server, opts.port, opts.host);
  } catch (err) {
    await Promise.all([channels.close(), app.close(0)]);
    throw err;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = once(server, 'close');
      server.close();
      await app.close(opts.shutdownGraceMs);
      server.closeAllConnections();
      await channels.close();
      await Promise.race([closed, sleep(opts.shutdownGraceMs, undefined, { ref: false })]);
    })();
    return closing;
  };

  return { url: urlFor(address, opts.tls !== undefined), port: address.port, follower: file.follower, close };
}
