/**
 * The README's "Beyond one host" commands, run as written against a real redis-server, with only
 * the ports changed to free ones (Redis's, and the servers' so that no default port is taken).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closedPort } from '../helpers/ports.js';
import { haveRedis, startRedis } from '../helpers/redis.js';
import { redisClient } from '../helpers/redis-stream.js';
import { examples, runShell, shellDir } from '../helpers/readme.js';

const background = new Set<ChildProcess>();

afterEach(async () => {
  // The README's background jobs, each a process group of its own: ended by its id.
  for (const child of background) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  background.clear();
});

describe.skipIf(!haveRedis)("the README's Redis commands work as written", () => {
  it('mirrors a file and serves the stream from a second server', async () => {
    const redis = await startRedis();
    const shell = await shellDir();
    const { dir, env } = shell;
    const [first, second] = [await closedPort(), await closedPort()];
    const localize = (command: string): string =>
      command
        .replaceAll('127.0.0.1:6379', `127.0.0.1:${redis.port}`)
        .replace(/^redis-cli /, `redis-cli -p ${redis.port} `)
        .replace('evlog serve event.log', `evlog serve -p ${first} event.log`)
        .replaceAll('8002', String(second));
    const client = await redisClient(redis.url);
    const outputs: string[] = [];
    for (const command of await examples('## Beyond one host')) {
      const runnable = localize(command);
      if (runnable.endsWith('&')) {
        const child = spawn('bash', ['-c', runnable.slice(0, -1)], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
        background.add(child);
        let err = '';
        child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
        if (runnable.includes('evlog serve')) await vi.waitFor(() => expect(err).toMatch(/evlog: serving .* on http:/), { timeout: 10_000 });
        if (runnable.includes('--redis')) await vi.waitFor(async () => expect(await client.xLen('evlog:event.log')).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
        continue;
      }
      // No pipefail: curl ends with 23 when `head` has what it wanted and closes the pipe.
      const result = runShell(runnable, shell, false);
      expect(result.stderr, runnable).toBe('');
      expect(result.status, runnable).toBe(0);
      outputs.push(result.stdout);
    }
    const [curl, xrevrange] = outputs;
    const records = curl!.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; file: string; session: string });
    expect(records).toHaveLength(3);
    for (const r of records) expect(r).toMatchObject({ id: expect.stringMatching(/^\d+-\d+$/), file: 'event.log', session: expect.any(String) });
    expect(xrevrange!.split('\n')).toEqual(expect.arrayContaining(['line', 'id', 'file', 'session', 'event']));
  });
});
