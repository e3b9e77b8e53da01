/** Reading a Redis stream back in tests, through a client of its own that is closed after the test. */
import { afterEach, vi } from 'vitest';
import { createClient } from '@redis/client';
import type { RedisClient } from '../../src/redis/client.js';

type Client = RedisClient;
const clients = new Set<Client>();

afterEach(() => {
  for (const c of clients) c.destroy();
  clients.clear();
});

export async function redisClient(url: string): Promise<Client> {
  const client = createClient({ url, socket: { reconnectStrategy: () => 100 } }) as unknown as Client;
  client.on('error', () => undefined);
  clients.add(client);
  await client.connect();
  return client;
}

export interface Entry {
  id: string;
  fields: Record<string, string>;
}

/** Every entry of the stream at `key`, oldest first. */
export async function readStream(client: Client, key: string): Promise<Entry[]> {
  const out: Entry[] = [];
  let after = '-';
  for (;;) {
    const start = after === '-' ? '-' : `(${after}`;
    const reply = (await client.sendCommand(['XRANGE', key, start, '+', 'COUNT', '10000'])) as [string, string[]][];
    for (const [id, flat] of reply) {
      const fields: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
      out.push({ id, fields });
    }
    if (reply.length < 10_000) return out;
    after = reply[reply.length - 1]![0];
  }
}

/** Waits (with a deadline) until the stream at `key` holds `n` entries, polling XLEN. */
export async function waitForLength(client: Client, key: string, n: number, timeout = 30_000): Promise<void> {
  await vi.waitFor(async () => {
    const len = await client.xLen(key);
    if (len < n) throw new Error(`stream ${key} holds ${len} of ${n} entries`);
  }, { timeout, interval: 50 });
}
