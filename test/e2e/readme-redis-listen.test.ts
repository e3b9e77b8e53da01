import { spawnSync } from 'node:child_process';
import { chmod, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { haveRedis, startRedis } from '../helpers/redis.js';
import { tmpDir } from '../helpers/tmp.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const haveRedisCli = spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0;

/** The commands of the first `sh` block after `heading`, comments dropped. */
async function examples(heading: string): Promise<string[]> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block.split('\n').map((line) => line.replace(/\s+#\s.*$/, '').trim()).filter(Boolean);
}

describe.skipIf(!haveRedis || !haveRedisCli)('the README\'s Redis listen examples work as written', () => {
  it('runs them in order against a fresh redis-server', async () => {
    const commands = await examples('### Listening to a Redis stream');
    expect(commands.length).toBeGreaterThanOrEqual(3);
    const redis = await startRedis();
    const dir = await tmpDir();
    await writeFile(path.join(dir, 'evlog'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    await chmod(path.join(dir, 'evlog'), 0o755);
    await symlink(path.join(ROOT, 'examples'), path.join(dir, 'examples'));
    const outputs: string[] = [];
    for (const command of commands) {
      // The README's address is Redis's default port; here the server is on a free one.
      const runnable = command.replaceAll('127.0.0.1:6379', `127.0.0.1:${redis.port}`).replace(/^redis-cli /, `redis-cli -p ${redis.port} `);
      const result = spawnSync('bash', ['-o', 'pipefail', '-c', runnable], {
        cwd: dir, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: 'utf8', timeout: 30_000,
      });
      expect(result.stderr, runnable).toBe('');
      expect(result.status, runnable).toBe(0);
      outputs.push(result.stdout);
    }
    const record = JSON.parse(outputs[1]!) as Record<string, string>;
    expect(record).toEqual({ id: outputs[0]!.trim(), line: 's-1:buy', evlogId: '0', file: 'event.log', session: 's-1', event: 'buy' });
    expect(await readFile(path.join(dir, 'notifications.log'), 'utf8')).toMatch(/session=s-1 event=buy\n$/);
  });
});
