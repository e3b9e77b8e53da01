import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ListenEvent } from '../../../src/listen/index.js';
import type { RedisClient } from '../../../src/redis/client.js';
import { startListen } from '../../helpers/listen.js';
import { haveRedis, startRedis } from '../../helpers/redis.js';
import { addLines, redisClient } from '../../helpers/redis-stream.js';
import { tmpDir } from '../../helpers/tmp.js';

const lines = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `s${(from + i) % 7}:e${from + i}`);
/** Listeners waiting in XREAD: past their start, so an entry added now is new to them. */
async function blockedReaders(client: RedisClient): Promise<number> {
  const list = await client.sendCommand<string>(['CLIENT', 'LIST']);
  return list.split('\n').filter((c) => c.includes('name=evlog-listen ') && c.includes('cmd=xread')).length;
}
const ids = (text: string[]): string[] => text.map((l) => (JSON.parse(l) as { id: string }).id);

describe.skipIf(!haveRedis)('listen redis:// --stream', () => {
  it('reads every entry in order, as records with the entry id and the evlog id beside it', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    const written = await addLines(client, 'evlog:event.log', lines(1200));
    const run = startListen({ url: redis.url, stream: 'evlog:event.log', from: 'start', json: true, count: 1200 });
    expect(await run.done).toMatchObject({ matched: 1200 });
    const records = run.stdout.lines().map((l) => JSON.parse(l) as Record<string, string>);
    expect(records.map((r) => r.id)).toEqual(written);
    expect(records[5]).toEqual({ id: written[5], line: 's5:e5', evlogId: 'evlog-5', file: 'event.log', session: 's5', event: 'e5' });
  });

  it('starts with the last n entries with --tail, and with new ones only by default', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    await addLines(client, 'k', lines(10));
    const tail = startListen({ url: redis.url, stream: 'k', tail: 3, count: 4 });
    const fresh = startListen({ url: redis.url, stream: 'k', count: 1 });
    await tail.waitForLines(3);
    // The default start is the stream's end when it connected: only entries added after.
    await expect.poll(() => blockedReaders(client)).toBe(2);
    await addLines(client, 'k', ['s:new']);
    await tail.done;
    await fresh.done;
    expect(tail.stdout.lines()).toEqual(['s0:e7', 's1:e8', 's2:e9', 's:new']);
    expect(fresh.stdout.lines()).toEqual(['s:new']);
  });

  it("says a gap entry the mirror wrote on stderr, never as a line, alone and in a group (acknowledged)", async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    await addLines(client, 'k', ['s1:before']);
    await client.sendCommand(['XADD', 'k', '*', 'id', 'X', 'file', 'event.log', 'gap', 'truncated', 'gap_bytes', '42']);
    await addLines(client, 'k', ['s1:after']);
    const alone = startListen({ url: redis.url, stream: 'k', from: 'start', count: 2 });
    expect(await alone.done).toMatchObject({ matched: 2 });
    expect(alone.stdout.lines()).toEqual(['s1:before', 's1:after']);
    expect(alone.logs).toContain('gap in event.log: truncated');

    const handled: string[] = [];
    const grouped = startListen({ url: redis.url, stream: 'k', group: 'g', consumer: 'c', from: 'start', count: 2, callback: (e: ListenEvent) => void handled.push(e.line) });
    expect(await grouped.done).toMatchObject({ matched: 2 });
    expect(handled).toEqual(['s1:before', 's1:after']);
    expect(grouped.logs).toContain('gap in event.log: truncated');
    await expect.poll(() => client.sendCommand<[number]>(['XPENDING', 'k', 'g']).then((r) => r[0])).toBe(0);
  });

  it('resumes after the last entry when Redis restarts: nothing lost, nothing twice', async () => {
    const redis = await startRedis({ appendonly: true });
    let client = await redisClient(redis.url);
    const before = await addLines(client, 'k', lines(300));
    const run = startListen({ url: redis.url, stream: 'k', from: 'start', json: true });
    await run.waitForLines(300);
    await redis.stop('SIGKILL');
    await redis.start();
    client = await redisClient(redis.url);
    const after = await addLines(client, 'k', lines(300, 300));
    await run.waitForLines(600, 20_000);
    await expect.poll(() => run.logs.join('\n')).toMatch(/reconnected to Redis at redis:\/\/127\.0\.0\.1:\d+/);
    await run.stop();
    expect(ids(run.stdout.lines())).toEqual([...before, ...after]);
  });

  it('keeps a checkpoint of Redis entry ids and resumes after it', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    const written = await addLines(client, 'k', lines(100));
    const checkpoint = path.join(await tmpDir(), 'k.cp');
    const handled: string[] = [];
    const callback = async (event: ListenEvent): Promise<void> => {
      handled.push(event.id);
    };
    const first = await startListen({ url: redis.url, stream: 'k', from: 'start', checkpoint, callback, concurrency: 4, count: 40 }).done;
    expect(first.checkpoint).toBe(written[39]);
    expect((await readFile(checkpoint, 'utf8')).trim()).toBe(written[39]);
    // The saved checkpoint wins over --from start.
    await startListen({ url: redis.url, stream: 'k', from: 'start', checkpoint, callback, count: 60 }).done;
    expect(handled).toEqual(written);
  });

  it('filters, calls back with retries and dead-letters as over HTTP', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    await addLines(client, 'k', ['a:click', 'b:view', 'c:click', 'd:buy', 'e:click']);
    const dir = await tmpDir();
    const deadLetter = path.join(dir, 'dead.ndjson');
    const seen: string[] = [];
    const run = startListen({
      url: redis.url, stream: 'k', from: 'start', match: ['CLICK', 'buy'], ignoreCase: true, invert: false, retries: 1, retryDelayMs: 1, deadLetter, count: 4,
      callback: (event) => {
        seen.push(`${event.session}:${event.match?.[0]}`);
        if (event.event === 'buy') throw new Error('no stock');
      },
    });
    expect(await run.done).toMatchObject({ matched: 4, deadLettered: 1 });
    expect(seen).toEqual(['a:click', 'c:click', 'd:buy', 'd:buy', 'e:click']);
    const dead = JSON.parse(await readFile(deadLetter, 'utf8')) as Record<string, unknown>;
    expect(dead).toMatchObject({ line: 'd:buy', file: 'event.log', error: 'no stock', attempts: 2 });
  });

  it('with --no-reconnect, a lost connection ends it with a runtime error naming Redis', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    await addLines(client, 'k', ['s:one']);
    const run = startListen({ url: redis.url, stream: 'k', from: 'start', reconnect: false });
    await run.waitForLines(1);
    await redis.stop('SIGKILL');
    await expect(run.done).rejects.toMatchObject({ exitCode: 1, code: 'EVLOG_ERR_REDIS_LOST', message: expect.stringMatching(/^Redis at redis:\/\/127\.0\.0\.1:\d+: /) });
  });
});

