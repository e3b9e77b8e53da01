/**
 * The mirror's position is its own: entries other programs add to the stream, and a second mirror
 * of the same key, never make it mirror a line twice.
 */
import { describe, expect, it } from 'vitest';
import { appendLines, expectSequence } from '../../helpers/lines.js';
import { haveRedis, startRedis } from '../../helpers/redis.js';
import { readStream, redisClient, waitForLength } from '../../helpers/redis-stream.js';
import { startServer } from '../../helpers/server.js';
import { tmpLog } from '../../helpers/tmp.js';

const lines = async (url: string, key: string): Promise<string[]> => {
  const client = await redisClient(url);
  return (await readStream(client, key)).flatMap((e) => (e.fields['line'] === undefined ? [] : [e.fields['line']]));
};

describe.skipIf(!haveRedis)('serve --redis: the position is the mirror\'s own', () => {
  it('resumes after its own last line when another program appended last, across a Redis restart', async () => {
    const redis = await startRedis({ appendonly: true });
    const file = await tmpLog();
    const key = `evlog:${file}`;
    await appendLines(file, 0, 1000);
    const warnings: string[] = [];
    await startServer({ file, redis: redis.url, onWarning: (m) => warnings.push(m) });
    const client = await redisClient(redis.url);
    await waitForLength(client, key, 1000);
    await client.sendCommand(['XADD', key, '*', 'note', 'not from evlog']);
    client.destroy();
    await redis.stop('SIGKILL');
    // Lines written while Redis is down make the mirror fail, and read its position again once back.
    await appendLines(file, 1000, 10);
    await expect.poll(() => warnings.join('\n'), { timeout: 10_000 }).toMatch(/paused/);
    await redis.start();
    const again = await redisClient(redis.url);
    await waitForLength(again, key, 1011);
    expectSequence(await lines(redis.url, key), 1010);
    expect(await again.xLen(key)).toBe(1011);
  });

  it('two servers mirroring one file to one key put each line in once', async () => {
    const redis = await startRedis();
    const file = await tmpLog();
    const key = `evlog:${file}`;
    await appendLines(file, 0, 500);
    await Promise.all([startServer({ file, redis: redis.url }), startServer({ file, redis: redis.url })]);
    await appendLines(file, 500, 1500);
    const client = await redisClient(redis.url);
    await waitForLength(client, key, 2000);
    await appendLines(file, 2000, 1);
    await waitForLength(client, key, 2001);
    expectSequence(await lines(redis.url, key), 2001);
  });

  it('a position that is no evlog id is said once and the file is not mirrored again', async () => {
    const redis = await startRedis();
    const file = await tmpLog();
    const key = `evlog:${file}`;
    const client = await redisClient(redis.url);
    await client.sendCommand(['XADD', key, '*', 'note', 'x']);
    await client.set(`${key}:position`, 'not-an-id');
    await appendLines(file, 0, 10);
    const warnings: string[] = [];
    await startServer({ file, redis: redis.url, onWarning: (m) => warnings.push(m) });
    await expect.poll(() => warnings.join('\n'), { timeout: 10_000 }).toMatch(/not mirroring .*not-an-id/);
    expect(await client.xLen(key)).toBe(1);
  });
});
