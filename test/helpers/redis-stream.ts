/**
 * A test's own Redis client (closed after the test): reading a stream back, and writing entries the
 * way `serve --redis` writes them (fields `line`, `id`, `file`, and `session`/`event` for events).
 */
import { afterEach, vi } from 'vitest';
import { createClient } from '@redis/client';
import type { RedisClient } from '../../src/redis/client.js';
import { parseEventLine } from '../../src/wire/record.js';

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
/** XADDs the lines in order, a thousand per round trip; returns the entry ids. */
export async function addLines(client: RedisClient, key: string, lines: readonly string[], file = 'event.log'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < lines.length; i += 1000) {
    const chunk = lines.slice(i, i + 1000).map((line, j) => {
      const fields = ['line', line, 'id', `evlog-${i + j}`, 'file', file];
      const parsed = parseEventLine(line);
      if (parsed) fields.push('session', parsed.session, 'event', parsed.event);
      return client.sendCommand<string>(['XADD', key, '*', ...fields]);
    });
    ids.push(...(await Promise.all(chunk)));
  }
  return ids;
}

/** Ids pending in the group (all consumers, or one), oldest first. */
export async function pendingIds(client: RedisClient, key: string, group: string, consumer?: string): Promise<string[]> {
  const args = ['XPENDING', key, group, '-', '+', '1000000'];
  if (consumer !== undefined) args.push(consumer);
  const reply = await client.sendCommand<[string, string, number, number][]>(args);
  return reply.map(([id]) => id);
}
