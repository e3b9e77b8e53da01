import { afterEach } from 'vitest';
import { createServer, type EvlogServer, type ServerOptions } from '../../src/server/index.js';

const servers = new Set<EvlogServer>();

afterEach(async () => {
  await Promise.all([...servers].map((s) => s.close()));
  servers.clear();
});

/** A real server on 127.0.0.1 and an ephemeral port, closed after the test. */
export async function startServer(options: ServerOptions): Promise<EvlogServer> {
  const server = await createServer({ port: 0, host: '127.0.0.1', onWarning: () => undefined, ...options });
  servers.add(server);
  return server;
}
