/** A group member's start past the stream's end, and `-n`: what it reads is what it handles. */
import { describe, expect, it } from 'vitest';
import type { ListenEvent } from '../../../src/listen/index.js';
import { startListen } from '../../helpers/listen.js';
import { haveRedis, startRedis } from '../../helpers/redis.js';
import { addLines, pendingIds, redisClient } from '../../helpers/redis-stream.js';

const lines = (n: number): string[] => Array.from({ length: n }, (_, i) => `s:e${i}`);

describe.skipIf(!haveRedis)('listen redis:// --group, edges', () => {
  it('--from an id beyond the end says so and starts the group at the start', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    await addLines(client, 'k', lines(5));
    const run = startListen({ url: redis.url, stream: 'k', group: 'g', consumer: 'c', from: '99999999999999-0', count: 5 });
    expect(await run.done).toMatchObject({ matched: 5 });
    expect(run.logs).toContain('gap in k: id beyond the end of the stream');
    expect(run.stdout.lines()).toEqual(lines(5));
  });

  it('-n 3 reads no more than 3: nothing is left pending under its name', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    await addLines(client, 'k', lines(10));
    const handled: string[] = [];
    const run = startListen({ url: redis.url, stream: 'k', group: 'g', consumer: 'c', from: 'start', count: 3, callback: (e: ListenEvent) => void handled.push(e.line) });
    expect(await run.done).toMatchObject({ matched: 3 });
    expect(handled).toEqual(lines(3));
    expect(await pendingIds(client, 'k', 'g')).toEqual([]);
    // The other 7 are still new to the group: the next member gets them on their first delivery.
    const next = startListen({ url: redis.url, stream: 'k', group: 'g', consumer: 'd', count: 7 });
    expect(await next.done).toMatchObject({ matched: 7 });
    expect(next.stdout.lines()).toEqual(lines(10).slice(3));
  });
});
