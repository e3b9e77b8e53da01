/** Binding a server with errors a user can read: a busy port is a runtime failure, not a stack trace. */
import { once } from 'node:events';
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RuntimeError, describeSystemError } from './errors.js';

export async function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  const failed = once(server, 'error');
  server.listen(port, host);
  try {
    await Promise.race([once(server, 'listening'), failed.then(([err]) => Promise.reject(err))]);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? `port ${port} is already in use`
      : `cannot listen on ${host}:${port}: ${describeSystemError(err)}`;
    throw new RuntimeError('EVLOG_ERR_LISTEN', reason, { cause: err });
  }
  return server.address() as AddressInfo;
}

/** `http://host:port` (`https://` for TLS), with IPv6 literals bracketed. */
export function urlFor(address: AddressInfo, secure = false): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${secure ? 'https' : 'http'}://${host}:${address.port}`;
}
