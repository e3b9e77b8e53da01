import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ListenEvent } from '../../../src/listen/index.js';
import { startListen } from '../../helpers/listen.js';
import { haveRedis, startRedis } from '../../helpers/redis.js';
import { addLines, pendingIds, redisClient } from '../../helpers/redis-stream.js';
import { tmpDir } from '../../helpers/tmp.js';

describe.skipIf(!haveRedis)('listen redis:// --group', () => {
  it('dead-letters a poison event at its --max-deliveries-th delivery, acknowledges it, and never delivers it again', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    await addLines(client, 'k', ['a:ok', 'p:poison', 'b:ok']);
    const deadLetter = path.join(await tmpDir(), 'dead.ndjson');
    const calls: string[] = [];
    const run = startListen({
      url: redis.url, stream: 'k', group: 'g', consumer: 'c1', from: 'start', retries: 1, retryDelayMs: 1,
      claimIdleMs: 100, maxDeliveries: 3, deadLetter,
      callback: (event: ListenEvent) => {
        calls.push(event.line);
        if (event.event === 'poison') throw new Error('poison');
      },
    });
    await expect.poll(() => readFile(deadLetter, 'utf8').catch(() => ''), { timeout: 15_000 }).toMatch(/poison/);
    await expect.poll(() => pendingIds(client, 'k', 'g')).toEqual([]);
    // Nothing pending is nothing left to claim: the poison cannot come back. The listener goes on.
    await addLines(client, 'k', ['c:ok']);
    await expect.poll(() => calls.includes('c:ok')).toBe(true);
    await run.stop();
    // Three deliveries of two attempts each; the ok events once.
    expect(calls.filter((l) => l === 'p:poison')).toHaveLength(6);
    expect(calls.filter((l) => l !== 'p:poison')).toEqual(['a:ok', 'b:ok', 'c:ok']);
    const dead = (await readFile(deadLetter, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ line: 'p:poison', error: 'poison', attempts: 2 });
    expect(await pendingIds(client, 'k', 'g')).toEqual([]);
  });

  it('a restarted consumer finishes its own pending events before new ones', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    const first = await addLines(client, 'k', Array.from({ length: 10 }, (_, i) => `s:old${i}`));
    // A callback that never ends: the listener holds its batch, then stops without acknowledging.
    const stuck = startListen({
      url: redis.url, stream: 'k', group: 'g', consumer: 'a', from: 'start', shutdownGraceMs: 0,
      callback: () => new Promise<void>(() => undefined),
    });
    await expect.poll(() => pendingIds(client, 'k', 'g', 'a')).toEqual(first);
    await stuck.stop();
    const later = await addLines(client, 'k', Array.from({ length: 5 }, (_, i) => `s:new${i}`));
    const handled: string[] = [];
    const result = await startListen({
      url: redis.url, stream: 'k', group: 'g', consumer: 'a', count: 15, claimIdleMs: 600_000,
      callback: (event: ListenEvent) => {
        handled.push(event.id);
      },
    }).done;
    expect(result.handled).toBe(15);
    expect(handled).toEqual([...first, ...later]);
    expect(await pendingIds(client, 'k', 'g')).toEqual([]);
  });

  it('creates the group again when it is gone, and goes on', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    const handled: string[] = [];
    const run = startListen({ url: redis.url, stream: 'k', group: 'g', consumer: 'c', callback: (event: ListenEvent) => void handled.push(event.line) });
    await expect.poll(() => client.sendCommand<unknown[]>(['XINFO', 'GROUPS', 'k']).then((g) => g.length).catch(() => 0)).toBe(1);
    await addLines(client, 'k', ['s:before']);
    await expect.poll(() => handled).toEqual(['s:before']);
    await client.sendCommand(['XGROUP', 'DESTROY', 'k', 'g']);
    await expect.poll(() => run.logs.join('\n')).toMatch(/group g of k is gone; creating it again/);
    await addLines(client, 'k', ['s:after']);
    await expect.poll(() => handled).toEqual(['s:before', 's:after']);
    await run.stop();
  });
});
