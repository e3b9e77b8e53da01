/**
 * Redis misuses that used to hang or pass silently: each ends at once with one line and its exit
 * code, as the real CLI runs.
 */
import { describe, expect, it } from 'vitest';
import { runCli, runInProcess } from '../helpers/cli.js';
import { haveRedis, startRedis } from '../helpers/redis.js';
import { addLines, redisClient } from '../helpers/redis-stream.js';

describe.skipIf(!haveRedis)('Redis keys of the wrong type', () => {
  it('listen --group on a key that is no stream exits 1 at once', async () => {
    const redis = await startRedis();
    await (await redisClient(redis.url)).set('strkey', 'x');
    const r = await runCli(['listen', redis.url, '--stream', 'strkey', '--group', 'g']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^evlog: Redis at redis:\/\/127\.0\.0\.1:\d+: XGROUP strkey: WRONGTYPE [^\n]*\n$/);
  });

  it('serve redis:// --stream on a key that is no stream exits 1 at start', async () => {
    const redis = await startRedis();
    await (await redisClient(redis.url)).set('strkey', 'x');
    const r = await runCli(['serve', redis.url, '--stream', 'strkey', '-p', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`evlog: Redis at ${redis.url}: strkey is a string, not a stream\n`);
  });
});

describe('a Redis URL in an error is shown as given', () => {
  it("--redis redis:// names no host: 'redis://'", async () => {
    const r = await runInProcess(['serve', 'x.log', '--redis', 'redis://']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("evlog: --redis: 'redis://' names no host\n");
  });
});

describe('listen redis:// flags that mean nothing there are usage errors', () => {
  for (const [flags, message] of [
    [['--claim-idle', '100'], '--claim-idle needs --group'],
    [['--max-deliveries', '2'], '--max-deliveries needs --group'],
    [['--token', 't'], '--token is for evlog servers: give a Redis password in the URL (redis://user:password@host:port)'],
  ] as const) {
    it(flags[0], async () => {
      const r = await runInProcess(['listen', 'redis://127.0.0.1:1', '--stream', 'k', ...flags]);
      expect(r.stderr).toBe(`evlog: ${message}\n`);
      expect(r.code).toBe(2);
    });
  }
});

describe.skipIf(!haveRedis)('listen redis:// -f', () => {
  it('selects entries by their file, alone and in a group', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    await addLines(client, 'k', ['s:a1'], 'a.log');
    await addLines(client, 'k', ['s:b1'], 'logs/b.log');
    await addLines(client, 'k', ['s:a2'], 'a.log');
    await addLines(client, 'k', ['s:b2'], 'logs/b.log');
    const alone = await runCli(['listen', redis.url, '--stream', 'k', '--from', 'start', '-f', 'logs/*.log', '-n', '2']);
    expect(alone.stdout).toBe('s:b1\ns:b2\n');
    const grouped = await runCli(['listen', redis.url, '--stream', 'k', '--group', 'g', '--from', 'start', '-f', 'a.log', '-n', '2']);
    expect(grouped.stdout).toBe('s:a1\ns:a2\n');
  });
});
