/**
 * Redis misuses that used to hang or pass silently: each ends at once with one line and its exit
 * code, as the real CLI runs.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { haveRedis, startRedis } from '../helpers/redis.js';
import { redisClient } from '../helpers/redis-stream.js';

describe.skipIf(!haveRedis)('Redis keys of the wrong type', () => {
  it('listen --group on a key that is no stream exits 1 at once', async () => {
    const redis = await startRedis();
    await (await redisClient(redis.url)).set('strkey', 'x');
    const r = await runCli(['listen', redis.url, '--stream', 'strkey', '--group', 'g']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^evlog: Redis at redis:\/\/127\.0\.0\.1:\d+: XGROUP strkey: WRONGTYPE [^\n]*\n$/);
  });
});
