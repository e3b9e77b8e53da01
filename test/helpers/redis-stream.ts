/**
 * Entries written into a test's Redis stream the way `serve --redis` writes them (fields `line`,
 * `id`, `file`, and `session`/`event` for events), pipelined, and the group's pending list.
 */
import { afterEach } from 'vitest';
import { openRedis, type RedisClient } from '../../src/redis/client.js';
import { parseEventLine } from '../../src/wire/record.js';

const clients: RedisClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) if (c.isOpen) c.destroy();
});

export async function redisClient(url: string): Promise<RedisClient> {
  const client = await openRedis(url, { name: 'evlog-test', onError: () => undefined });
  clients.push(client);
  return client;
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
