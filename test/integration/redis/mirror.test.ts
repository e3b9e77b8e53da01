/** The mirror in-process: Redis away for a while, HTTP clients served meanwhile, the stream caught up exactly. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getText, openStream } from '../../helpers/clients.js';
import { appendLines, expectSequence } from '../../helpers/lines.js';
import { haveRedis, startRedis } from '../../helpers/redis.js';
import { readStream, redisClient, waitForLength } from '../../helpers/redis-stream.js';
import { startServer } from '../../helpers/server.js';
import { tmpLog } from '../../helpers/tmp.js';

const metric = (text: string, name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);

describe.skipIf(!haveRedis)('serve --redis while Redis is away', () => {
  it('keeps serving HTTP clients, then catches the stream up exactly', async () => {
    const redis = await startRedis({ appendonly: true });
    const file = await tmpLog();
    const warnings: string[] = [];
    const server = await startServer({ file, redis: redis.url, redisPrefix: 'm:', onWarning: (m) => warnings.push(m) });
    const key = `m:${file}`;
    const client = await redisClient(redis.url);
    const http = await openStream(`${server.url}/stream?format=ndjson`);
    await appendLines(file, 0, 100);
    await waitForLength(client, key, 100);
    client.destroy();

    await redis.stop('SIGKILL');
    await appendLines(file, 100, 2000);
    // Unaffected: every line reaches the HTTP client while Redis is down.
    const lines = await http.waitForLines(2100);
    expectSequence(lines.map((l) => (JSON.parse(l) as { line: string }).line), 2100);
    const { status, body } = await getText(`${server.url}/metrics`);
    expect(status).toBe(200);
    expect(metric(body, 'evlog_redis_mirrored_lines_total')).toBe(100);

    await redis.start();
    const again = await redisClient(redis.url);
    await waitForLength(again, key, 2100);
    const entries = await readStream(again, key);
    expectSequence(entries.map((e) => e.fields['line']!), 2100);
    await expect.poll(async () => metric((await getText(`${server.url}/metrics`)).body, 'evlog_redis_mirrored_lines_total')).toBe(2100);
    expect(metric((await getText(`${server.url}/metrics`)).body, 'evlog_redis_mirror_lag_bytes')).toBe(0);
    expect(warnings.some((w) => w.includes(redis.url))).toBe(true);
  });

  it('trims the stream to about --redis-maxlen entries', async () => {
    const redis = await startRedis();
    const file = await tmpLog();
    await startServer({ file, redis: redis.url, redisMaxlen: 1000 });
    const client = await redisClient(redis.url);
    await appendLines(file, 0, 20_000);
    const key = `evlog:${file}`;
    await expect.poll(async () => (await readStream(client, key)).at(-1)?.fields['line'], { timeout: 20_000 }).toBe('seq:19999');
    // `~` trims whole radix-tree nodes (100 entries by default), never below the limit.
    const length = await client.xLen(key);
    expect(length).toBeGreaterThanOrEqual(1000);
    expect(length).toBeLessThan(1200);
  });
});

describe.skipIf(!haveRedis)('serve GLOB --redis', () => {
  it('mirrors every file into its own stream, files that come to match too', async () => {
    const redis = await startRedis();
    const dir = path.dirname(await tmpLog());
    const a = path.join(dir, 'a.log');
    await appendLines(a, 0, 300);
    await startServer({ files: [path.join(dir, '*.log')], redis: redis.url, stateDir: path.join(dir, 'state') });
    const b = path.join(dir, 'b.log');
    await appendLines(b, 0, 200, 'other');
    await appendLines(a, 300, 300);
    const client = await redisClient(redis.url);
    await waitForLength(client, `evlog:${a}`, 600);
    await waitForLength(client, `evlog:${b}`, 200);
    expectSequence((await readStream(client, `evlog:${a}`)).map((e) => e.fields['line']!), 600);
    expectSequence((await readStream(client, `evlog:${b}`)).map((e) => e.fields['line']!), 200, 'other');
    expect((await readStream(client, `evlog:${b}`))[0]!.fields['file']).toBe(b);
  });
});
