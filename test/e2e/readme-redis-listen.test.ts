import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { examples, runShell, shellDir } from '../helpers/readme.js';
import { haveRedis, startRedis } from '../helpers/redis.js';

const haveRedisCli = spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!haveRedis || !haveRedisCli)('the README\'s Redis listen examples work as written', () => {
  it('runs them in order against a fresh redis-server', async () => {
    const commands = await examples('### Listening to a Redis stream');
    expect(commands.length).toBeGreaterThanOrEqual(3);
    const redis = await startRedis();
    const shell = await shellDir();
    const { dir } = shell;
    const outputs: string[] = [];
    for (const command of commands) {
      // The README's address is Redis's default port; here the server is on a free one.
      const runnable = command.replaceAll('127.0.0.1:6379', `127.0.0.1:${redis.port}`).replace(/^redis-cli /, `redis-cli -p ${redis.port} `);
      const result = runShell(runnable, shell);
      expect(result.stderr, runnable).toBe('');
      expect(result.status, runnable).toBe(0);
      outputs.push(result.stdout);
    }
    const record = JSON.parse(outputs[1]!) as Record<string, string>;
    expect(record).toEqual({ id: outputs[0]!.trim(), line: 's-1:buy', evlogId: '0', file: 'event.log', session: 's-1', event: 'buy' });
    expect(await readFile(path.join(dir, 'notifications.log'), 'utf8')).toMatch(/session=s-1 event=buy\n$/);
  });
});
