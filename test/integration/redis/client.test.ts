import { describe, expect, it } from 'vitest';
import { checkRedisUrl, openRedis, redactRedisUrl } from '../../../src/redis/client.js';
import { closedPort } from '../../helpers/ports.js';
import { haveRedis, startRedis } from '../../helpers/redis.js';

describe('Redis URLs', () => {
  it('accepts redis:// and rediss:// with an optional db number', () => {
    expect(checkRedisUrl('redis://127.0.0.1:6379', '--redis')).toBe('redis://127.0.0.1:6379');
    expect(checkRedisUrl('rediss://user:pw@host:6380/2', '--redis')).toBe('rediss://user:pw@host:6380/2');
  });

  it.each([
    ['http://127.0.0.1:6379', /not a redis:\/\/ or rediss:\/\/ URL/],
    ['127.0.0.1:6379', /not a redis:\/\/ or rediss:\/\/ URL|not a URL/],
    ['redis://:secret@127.0.0.1:6379/db', /database number/],
    ['redis://', /not a URL|names no host/],
    ['redis://:secret@127.0.0.1:notaport', /not a URL/],
    ['redis://user:secret@127.0.0.1:99999/0', /not a URL/],
  ])('refuses %s, naming the flag and never the password', (url, reason) => {
    expect(() => checkRedisUrl(url, '--redis')).toThrow(reason);
    try {
      checkRedisUrl(url, '--redis');
    } catch (err) {
      expect((err as Error).message).toMatch(/^--redis: /);
      expect((err as Error).message).not.toContain('secret');
    }
  });

  it('redacts the password', () => {
    expect(redactRedisUrl('redis://u:hunter2@h:1/0')).toBe('redis://u:***@h:1/0');
    // Also where the URL does not parse: its password is what matters to hide.
    expect(redactRedisUrl('redis://:hunter2@h:bad')).toBe('redis://:***@h:bad');
    expect(redactRedisUrl('rediss://u:p@ss@h:x')).toBe('rediss://u:***@h:x');
  });
});

describe('openRedis', () => {
  it('fails at once with one line naming the URL when nothing listens', async () => {
    const port = await closedPort();
    const started = Date.now();
    await expect(openRedis(`redis://:pw@127.0.0.1:${port}`, { name: 'evlog-test' })).rejects.toMatchObject({
      exitCode: 1,
      message: `cannot reach Redis at redis://:***@127.0.0.1:${port}: connection refused`,
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it.skipIf(!haveRedis)('takes the password from EVLOG_REDIS_PASSWORD when the URL has none', async () => {
    const redis = await startRedis({ requirepass: 'hunter2' });
    await expect(openRedis(redis.url, { name: 'evlog-test' })).rejects.toMatchObject({
      exitCode: 1,
      message: `cannot reach Redis at ${redis.url}: NOAUTH: a password is needed or wrong (give it in the URL, or in EVLOG_REDIS_PASSWORD)`,
    });
    process.env['EVLOG_REDIS_PASSWORD'] = 'hunter2';
    try {
      const client = await openRedis(redis.url, { name: 'evlog-test' });
      expect(await client.ping()).toBe('PONG');
      client.destroy();
      // The URL's own password wins.
      await expect(openRedis(redis.url.replace('//', '//:wrong@'), { name: 'evlog-test' })).rejects.toMatchObject({ exitCode: 1 });
    } finally {
      delete process.env['EVLOG_REDIS_PASSWORD'];
    }
  });

  it.skipIf(!haveRedis)('connects to a real redis-server and reconnects after it restarts', async () => {
    const redis = await startRedis();
    const errors: string[] = [];
    const client = await openRedis(redis.url, { name: 'evlog-test', maxBackoffMs: 200, onError: (m) => errors.push(m) });
    try {
      expect(await client.ping()).toBe('PONG');
      await redis.stop('SIGKILL');
      await expect.poll(() => errors.length).toBeGreaterThan(0);
      await redis.start();
      await expect.poll(async () => client.ping().catch(() => 'down'), { timeout: 15_000 }).toBe('PONG');
    } finally {
      client.destroy();
    }
  });
});
