import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, spawnCli, waitForMatch } from '../helpers/cli.js';
import { getText } from '../helpers/clients.js';
import { tmpDir } from '../helpers/tmp.js';

describe('a state directory that cannot be made', () => {
  it.skipIf(!existsSync('/proc/self'))('under /proc (given, or from XDG_STATE_HOME) is one line and exit 1, not a hang', async () => {
    const dir = await tmpDir();
    for (const n of ['a.log', 'b.log']) await appendFile(path.join(dir, n), '');
    const given = await runCli(['serve', '-p', '0', '--state-dir', '/proc/evlog-state', 'a.log', 'b.log'], { cwd: dir });
    expect(given.code).toBe(1);
    expect(given.stderr).toMatch(/^evlog: cannot use the state directory \/proc\/evlog-state: [^\n]*\n$/);
    const xdg = await runCli(['serve', '-p', '0', 'a.log', 'b.log'], { cwd: dir, env: { EVLOG_STATE_DIR: '', XDG_STATE_HOME: '/proc/evlog-xdg' } });
    expect(xdg.code).toBe(1);
    expect(xdg.stderr).toMatch(/^evlog: cannot use the state directory \/proc\/evlog-xdg\/evlog: [^\n]*\n$/);
  });
});

describe('a glob that matches the state directory', () => {
  it('follows the logs, never the index in the state directory (which would feed itself)', async () => {
    const dir = await tmpDir();
    for (const n of ['a.log', 'b.log']) await appendFile(path.join(dir, n), 'first\n');
    const serve = async (): Promise<{ files: () => Promise<string[]>; stop: () => Promise<unknown> }> => {
      const run = spawnCli(['serve', '-p', '0', '--state-dir', 'st', '**'], { cwd: dir, env: { EVLOG_STATE_DIR: '' } });
      const [, url] = await waitForMatch(run.stderr, /^evlog: serving .+ on (http:\/\/127\.0\.0\.1:\d+)$/m);
      return {
        files: async () => (JSON.parse((await getText(`${url}/files`)).body) as { file: string }[]).map((f) => f.file).sort(),
        stop: () => (run.child.kill('SIGTERM'), run.exited),
      };
    };
    let server = await serve();
    expect(await server.files()).toEqual(['a.log', 'b.log']);
    await server.stop();
    // Started again, the glob's first scan finds the index the first run wrote under st/.
    expect(existsSync(path.join(dir, 'st'))).toBe(true);
    server = await serve();
    expect(await server.files()).toEqual(['a.log', 'b.log']);
    await server.stop();
  });
});

describe('more files than descriptors', () => {
  it('follows them all with ulimit -n 256 and 2,500 files, without a warning per file', async () => {
    const dir = await tmpDir();
    for (let i = 0; i < 2500; i++) await appendFile(path.join(dir, `f${i}.log`), `old:${i}\n`);
    const run = spawn('sh', ['-c', `ulimit -n 256 && exec "${process.execPath}" "${BIN}" serve -p 0 --state-dir st '*.log'`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    run.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    try {
      const [, url] = await waitForMatch(() => stderr, /^evlog: serving .+ on (http:\/\/127\.0\.0\.1:\d+)$/m, 60_000);
      const files = JSON.parse((await getText(`${url}/files`)).body) as unknown[];
      expect(files).toHaveLength(2500);
      expect(stderr.split('\n').filter((l) => /EMFILE|too many open files|cannot follow/.test(l)).length).toBeLessThanOrEqual(1);
    } finally {
      run.kill('SIGKILL');
    }
  }, 120_000);
});
