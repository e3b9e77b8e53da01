/**
 * Entries trimmed away (`MAXLEN`, `XTRIM`) before a reader got to them are said as a gap, by
 * `serve redis://` to its clients and by `listen redis://` on stderr, never skipped silently; an id
 * beyond the stream's end is a gap too, not a wait for ever.
 */
import { get } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { ListenEvent } from '../../../src/listen/index.js';
import { startListen } from '../../helpers/listen.js';
import { haveRedis, startRedis } from '../../helpers/redis.js';
import { addLines, redisClient } from '../../helpers/redis-stream.js';
import { startServer } from '../../helpers/server.js';

const lines = (n: number, pad = ''): string[] => Array.from({ length: n }, (_, i) => `s:e${i}${pad}`);
const index = (line: string): number => Number(/^s:e(\d+)/.exec(line)![1]);

describe.skipIf(!haveRedis)('trimmed entries and ids beyond the end', () => {
  it('listen redis:// says a gap when entries it had not read yet were trimmed', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    await addLines(client, 'k', lines(3000));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const run = startListen({ url: redis.url, stream: 'k', from: 'start', callback: async (e: ListenEvent) => {
      if (handled.push(e.line) === 1) await held;
    } });
    await expect.poll(() => handled.length).toBe(1);
    await client.sendCommand(['XTRIM', 'k', 'MAXLEN', '100']);
    release();
    await expect.poll(() => handled.at(-1), { timeout: 10_000 }).toBe('s:e2999');
    await run.stop();
    expect(handled.length).toBeLessThan(3000);
    expect(run.logs).toContain('gap in k: trimmed');
    // Consecutive except across the one gap.
    const jumps = handled.map(index).filter((n, i, all) => i > 0 && n !== all[i - 1]! + 1);
    expect(jumps).toEqual([2900]);
  });

  it('listen redis:// --from <trimmed id> says so; --from <id beyond the end> says so and reads from the start', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    const ids = await addLines(client, 'k', lines(300));
    await client.sendCommand(['XTRIM', 'k', 'MAXLEN', '100']);
    const trimmed = startListen({ url: redis.url, stream: 'k', from: ids[10]!, count: 100 });
    expect(await trimmed.done).toMatchObject({ matched: 100 });
    expect(trimmed.logs).toContain('gap in k: trimmed');
    expect(trimmed.stdout.lines()[0]).toBe('s:e200');

    const beyond = startListen({ url: redis.url, stream: 'k', from: '99999999999999-0', count: 100 });
    expect(await beyond.done).toMatchObject({ matched: 100 });
    expect(beyond.logs).toContain('gap in k: id beyond the end of the stream');
    expect(beyond.stdout.lines()[0]).toBe('s:e200');

    // An untrimmed start is no gap.
    const whole = startListen({ url: redis.url, stream: 'k', from: ids[250]!, count: 49 });
    await whole.done;
    expect(whole.logs.filter((l) => l.includes('gap'))).toEqual([]);
  });

  it('serve redis:// sends a gap record to a slow client whose next entries were trimmed', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    // Big entries: the paused client stops the server well before the end of the stream.
    await addLines(client, 'k', lines(20_000, ` ${'x'.repeat(1000)}`));
    const server = await startServer({ file: redis.url, stream: 'k' });
    const records = await new Promise<{ line?: string; gap?: { reason: string } }[]>((resolve, reject) => {
      let text = '';
      let paused = false;
      const req = get(`${server.url}/stream?format=ndjson&from=start`, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (!paused) {
            paused = true;
            res.pause();
            void client.sendCommand(['XTRIM', 'k', 'MAXLEN', '100']).then(() => res.resume(), reject);
          }
          if (text.includes('s:e19999 ')) {
            req.destroy();
            resolve(text.split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l) as { line?: string }));
          }
        });
      });
      req.on('error', reject);
    });
    const gaps = records.filter((r) => r.gap);
    expect(gaps.map((g) => g.gap!.reason)).toEqual(['trimmed']);
    const at = records.findIndex((r) => r.gap);
    expect(index(records[at + 1]!.line!)).toBe(19_900);
    expect(records.slice(0, at).map((r) => index(r.line!))).toEqual(Array.from({ length: at }, (_, i) => i));
  });

  it('serve redis:// from=0-0 on an untrimmed stream is the whole stream, no gap', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    await addLines(client, 'k', lines(10));
    const server = await startServer({ file: redis.url, stream: 'k' });
    const text = await new Promise<string>((resolve, reject) => {
      let got = '';
      const req = get(`${server.url}/stream?format=ndjson&from=0-0`, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          got += chunk;
          if (got.includes('s:e9')) {
            req.destroy();
            resolve(got);
          }
        });
      });
      req.on('error', reject);
    });
    expect(text).not.toContain('"gap"');
    expect(text.split('\n').filter(Boolean)).toHaveLength(10);
  });
});
