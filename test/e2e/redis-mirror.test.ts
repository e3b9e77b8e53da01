/**
 * `serve FILE --redis URL` as a user runs it: a real CLI child process, a real redis-server, a
 * writer appending `seq:<n>` lines throughout. The stream must end up holding every line exactly
 * once, in order, whatever was killed meanwhile.
 */
import { rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { spawnCli, waitForMatch, type Spawned } from '../helpers/cli.js';
import { haveRedis, startRedis } from '../helpers/redis.js';
import { readStream, redisClient, waitForLength } from '../helpers/redis-stream.js';
import { expectSequence } from '../helpers/lines.js';
import { tmpDir } from '../helpers/tmp.js';
import { startWriter } from '../helpers/writer.js';

const KEY = (file: string): string => `evlog:${file}`;

async function mirror(file: string, url: string, cwd: string): Promise<Spawned> {
  const serve = spawnCli(['serve', file, '-p', '0', '--redis', url], { cwd });
  await waitForMatch(serve.stderr, /serving .* on http:\/\/127\.0\.0\.1:\d+/);
  return serve;
}

async function killed(serve: Spawned): Promise<void> {
  serve.child.kill('SIGKILL');
  await serve.exited;
}

const sizeOf = (file: string): Promise<number> => stat(file).then((s) => s.size, () => 0);

/** Waits until the file has grown by `bytes` from now (a file not there yet counts as empty). */
async function growth(file: string, bytes: number): Promise<void> {
  const from = await sizeOf(file);
  await vi.waitFor(async () => {
    if ((await sizeOf(file)) < from + bytes) throw new Error('file not grown yet');
  }, { timeout: 20_000, interval: 20 });
}

/** The stream holds exactly `seq:0` … `seq:(n-1)`, each entry with its evlog id and its file. */
async function expectMirrored(url: string, key: string, n: number, file: string): Promise<void> {
  const client = await redisClient(url);
  await waitForLength(client, key, n);
  const entries = await readStream(client, key);
  const odd = entries.filter((e) => e.fields['line'] === undefined);
  expect(odd, 'entries without a line').toEqual([]);
  expectSequence(entries.map((e) => e.fields['line']!), n);
  for (const e of entries.slice(0, 5)) expect(e.fields).toMatchObject({ file, session: 'seq', event: expect.any(String), id: expect.stringMatching(/^2\./) });
}

describe.skipIf(!haveRedis)('serve --redis: the mirror, exactly once', () => {
  it('across kill -9 of the server and restarts, a writer running', async () => {
    const redis = await startRedis();
    const dir = await tmpDir();
    const client = await redisClient(redis.url);
    const writer = await startWriter(path.join(dir, 'event.log'), 'reopen', 3000);
    for (let round = 0; round < 3; round++) {
      const serve = await mirror('event.log', redis.url, dir);
      const before = await client.xLen(KEY('event.log'));
      await waitForLength(client, KEY('event.log'), before + 300);
      await killed(serve);
      // Lines written while no server runs are mirrored by the next one.
      await growth(path.join(dir, 'event.log'), 2000);
    }
    const serve = await mirror('event.log', redis.url, dir);
    const n = await writer.stop();
    await expectMirrored(redis.url, KEY('event.log'), n, 'event.log');
    // Nothing more comes once it has caught up: no duplicate trails in.
    expect(await client.xLen(KEY('event.log'))).toBe(n);
    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
  });

  it('across kill -9 of Redis and its restart from its append-only file', async () => {
    const redis = await startRedis({ appendonly: true });
    const dir = await tmpDir();
    const file = path.join(dir, 'event.log');
    const writer = await startWriter(file, 'reopen', 3000);
    const serve = await mirror('event.log', redis.url, dir);
    for (let round = 0; round < 2; round++) {
      const client = await redisClient(redis.url);
      await waitForLength(client, KEY('event.log'), 300 * (round + 1));
      client.destroy();
      await redis.stop('SIGKILL');
      await growth(file, 2000);
      await redis.start();
    }
    const n = await writer.stop();
    await expectMirrored(redis.url, KEY('event.log'), n, 'event.log');
    expect(serve.child.exitCode).toBe(null);
  });

  it('through rename rotations under a writer', async () => {
    const redis = await startRedis();
    const dir = await tmpDir();
    const file = path.join(dir, 'event.log');
    const writer = await startWriter(file, 'reopen', 3000);
    await mirror('event.log', redis.url, dir);
    for (let i = 1; i <= 5; i++) {
      await growth(file, 1500);
      await rename(file, `${file}.${i}`);
    }
    const n = await writer.stop();
    await expectMirrored(redis.url, KEY('event.log'), n, 'event.log');
  });
});

describe('serve --redis and serve redis://: bad URLs and unreachable Redis', () => {
  it.each([
    [['serve', 'event.log', '--redis', 'http://127.0.0.1:6379'], /^evlog: --redis: 'http:\/\/127\.0\.0\.1:6379' is not a redis:\/\/ or rediss:\/\/ URL\n$/],
    [['serve', 'redis://127.0.0.1:6379/x', '--stream', 'k'], /^evlog: serve: .*database number.*\n$/],
    [['serve', 'redis://127.0.0.1:6379'], /^evlog: serving redis:\/\/127\.0\.0\.1:6379 needs --stream <key>\n$/],
    [['serve', 'event.log', '--stream', 'k'], /^evlog: --stream goes with a redis:\/\/ URL in place of the file\n$/],
  ])('%j is a usage error (exit 2, one line)', async (args, message) => {
    const dir = await tmpDir();
    const run = spawnCli([...args, '-p', '0'], { cwd: dir });
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toMatch(message);
  });

  it.each([
    ['serve --redis', (url: string) => ['serve', 'event.log', '--redis', url]],
    ['serve redis://', (url: string) => ['serve', url, '--stream', 'k']],
  ])('%s: Redis unreachable at start is exit 1 with one line naming the URL without its password', async (_, args) => {
    const { closedPort } = await import('../helpers/ports.js');
    const port = await closedPort();
    const dir = await tmpDir();
    const run = spawnCli([...args(`redis://:hunter2@127.0.0.1:${port}`), '-p', '0'], { cwd: dir });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toBe(`evlog: cannot reach Redis at redis://:***@127.0.0.1:${port}: connection refused\n`);
  });
});
