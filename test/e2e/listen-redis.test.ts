import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RedisClient } from '../../src/redis/client.js';
import { DEFAULT_BATCH_SIZE } from '../../src/redis/source.js';
import { runInProcess, spawnCli } from '../helpers/cli.js';
import { closedPort } from '../helpers/ports.js';
import { haveRedis, startRedis } from '../helpers/redis.js';
import { addLines, pendingIds, redisClient } from '../helpers/redis-stream.js';
import { tmpDir } from '../helpers/tmp.js';

const IDS = path.resolve(import.meta.dirname, '../../fixtures/callbacks/ids.mjs');

async function readIds(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '');
}

/** Group consumers waiting in XREADGROUP: started, group joined. */
async function waitingConsumers(client: RedisClient): Promise<number> {
  const list = await client.sendCommand<string>(['CLIENT', 'LIST']);
  return list.split('\n').filter((c) => c.includes('name=evlog-listen ') && c.includes('cmd=xreadgroup')).length;
}

describe('listen redis:// refuses what cannot work, before anything starts', () => {
  it('a URL that is not a Redis URL is a usage error (exit 2)', async () => {
    const r = await runInProcess(['listen', 'redis://127.0.0.1:6379/zero', '--stream', 'k']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("evlog: url: 'redis://127.0.0.1:6379/zero': the path must be a database number (/0)\n");
  });

  it('--stream is needed with a redis:// URL, and only there (exit 2)', async () => {
    const missing = await runInProcess(['listen', 'redis://127.0.0.1:6379']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('evlog: --stream <key> is needed to read redis://127.0.0.1:6379\n');
    const stray = await runInProcess(['listen', 'http://127.0.0.1:8001', '--stream', 'k']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toBe('evlog: --stream reads a Redis stream: give a redis:// URL\n');
  });

  it('--checkpoint or --tail with --group, or --consumer without it, is a usage error (exit 2)', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const cases = [
      [['--group', 'g', '--checkpoint', 'x.cp'], '--checkpoint cannot be used with --group'],
      [['--group', 'g', '--tail', '5'], '--tail cannot be used with --group'],
      [['--consumer', 'c'], '--consumer needs --group'],
      [['--from', 'e1'], "from: expected a Redis entry id (<ms>-<seq>) or 'start'"],
    ] as const;
    for (const [flags, message] of cases) {
      const r = await runInProcess(['listen', url, '--stream', 'k', ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^evlog: ${message.replace(/[()<>]/g, '\\$&')}[^\\n]*\\n$`));
    }
  });

  it('an unreachable Redis at start is a runtime error: exit 1, one line naming the URL without its password', async () => {
    const port = await closedPort();
    for (const group of [[], ['--group', 'g']]) {
      const r = await runInProcess(['listen', `redis://:secret@127.0.0.1:${port}`, '--stream', 'k', ...group]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`evlog: cannot reach Redis at redis://:***@127.0.0.1:${port}: connection refused\n`);
    }
  });
});

describe.skipIf(!haveRedis)('listen redis:// --group across processes', () => {
  it('three consumers share 100,000 events; one killed -9 mid-run: all handled, duplicates only of what it held', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    const dir = await tmpDir();
    // Long enough that a survivor slowed down by a loaded machine never has its own events taken.
    const claimIdleMs = 5000;
    const consumer = (name: string, concurrency: number, delayMs = 0) =>
      spawnCli(['listen', redis.url, '--stream', 'k', '--group', 'g', '--consumer', name, '--from', 'start', '-c', IDS,
        '--concurrency', String(concurrency), '--claim-idle', String(claimIdleMs)],
        { env: { EVLOG_FIXTURE_OUT: path.join(dir, name), EVLOG_FIXTURE_DELAY_MS: String(delayMs) } });
    const victimConcurrency = 8;
    const survivors = [consumer('a', 1), consumer('b', 4)];
    // The victim's callbacks take 5 ms: it is slow, so it is killed early, while the stream is far from
    // drained, and always in the middle of a batch.
    const victim = consumer('victim', victimConcurrency, 5);
    await expect.poll(() => waitingConsumers(client), { timeout: 20_000 }).toBe(3);

    const total = 100_000;
    const written = await addLines(client, 'k', Array.from({ length: total }, (_, i) => `s${i % 97}:e${i}`));
    await expect.poll(async () => (await readIds(path.join(dir, 'victim'))).length, { timeout: 60_000, interval: 10 }).toBeGreaterThanOrEqual(500);
    victim.child.kill('SIGKILL');
    await victim.exited;
    // What the victim held at its death: delivered to it, not acknowledged. Nothing claims it for claimIdleMs.
    const held = new Set(await pendingIds(client, 'k', 'g', 'victim'));
    expect(held.size, 'events the victim held').toBeGreaterThan(0);
    // It reads the next batch only once the last one is dispatched, so it holds at most the batch it is on,
    // the callbacks in flight from the one before, and the acknowledgements not yet sent: under two batches.
    expect(held.size).toBeLessThanOrEqual(2 * DEFAULT_BATCH_SIZE + victimConcurrency);

    const handled = async (): Promise<string[]> => (await Promise.all(['a', 'b', 'victim'].map((n) => readIds(path.join(dir, n))))).flat();
    await expect.poll(async () => new Set(await handled()).size, { timeout: 90_000, interval: 200 }).toBe(total);
    await expect.poll(() => pendingIds(client, 'k', 'g'), { timeout: 30_000 }).toEqual([]);
    for (const s of survivors) expect(s.child.exitCode).toBeNull();

    const all = await handled();
    expect(new Set(all)).toEqual(new Set(written));
    const times = new Map<string, number>();
    for (const id of all) times.set(id, (times.get(id) ?? 0) + 1);
    const duplicates = [...times].filter(([, n]) => n > 1);
    // Said as lists, so that a failure shows which events and how often.
    expect(duplicates.filter(([id, n]) => !held.has(id) || n !== 2)).toEqual([]);
    // The victim's pending events were taken over by the others.
    const bySurvivors = new Set((await Promise.all(['a', 'b'].map((n) => readIds(path.join(dir, n))))).flat());
    expect([...held].filter((id) => !bySurvivors.has(id))).toEqual([]);
    const stderr = survivors.map((s) => s.stderr()).join('');
    expect(stderr).toBe('');
  }, 180_000);
});
