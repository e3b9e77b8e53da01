import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli, waitForMatch } from '../helpers/cli.js';
import { getText, openStream } from '../helpers/clients.js';
import { tmpDir } from '../helpers/tmp.js';

/** The channel names `GET /files` lists. */
async function files(url: string): Promise<string[]> {
  return (JSON.parse((await getText(`${url}/files`)).body) as { file: string }[]).map((f) => f.file);
}

describe('evlog serve with paths and live globs', () => {
  it('follows a path and a glob\'s matches as they come and go, never a rotated copy', async () => {
    const dir = await tmpDir();
    await mkdir(path.join(dir, 'logs'));
    await writeFile(path.join(dir, 'a.log'), 'a:1\n');
    await writeFile(path.join(dir, 'logs', 'x.log'), 'x:1\n');
    await writeFile(path.join(dir, 'logs', 'x.log.1'), 'x:0\n');
    await writeFile(path.join(dir, 'logs', 'x.log.2.gz'), '');
    const server = spawnCli(['serve', '-p', '0', 'a.log', 'logs/*'], { cwd: dir, env: { EVLOG_STATE_DIR: path.join(dir, 'state') } });
    const [, url] = await waitForMatch(server.stderr, /evlog: serving a\.log, logs\/\* on (http:\/\/127\.0\.0\.1:\d+)\n/);
    // Named as matched, relative to the server's directory as the glob was.
    expect(await files(url!)).toEqual(['a.log', 'logs/x.log']);
    const health = JSON.parse((await getText(`${url}/healthz`)).body) as { files: { file: string; path: string; size: number; lagBytes: number }[] };
    expect(health.files).toMatchObject([
      { file: 'a.log', path: expect.stringMatching(/\/a\.log$/), size: 4, lagBytes: 0 },
      { file: 'logs/x.log', path: expect.stringMatching(/\/logs\/x\.log$/), size: 4, lagBytes: 0 },
    ]);

    // A file that comes to match is streamed from its first line, to a client there before it.
    const merged = await openStream(`${url}/stream?format=ndjson`);
    await writeFile(path.join(dir, 'logs', 'new.log'), 'new:1\nnew:2\n');
    await expect.poll(() => files(url!)).toEqual(['a.log', 'logs/x.log', 'logs/new.log']);
    const records = (await merged.waitForLines(2)).map((l) => JSON.parse(l) as { file: string; line: string });
    expect(records.map((r) => `${r.file} ${r.line}`)).toEqual(['logs/new.log new:1', 'logs/new.log new:2']);
    merged.close();
    // And to one that asks for it alone.
    const one = await openStream(`${url}/stream?file=logs/new.log&from=start`);
    expect(await one.waitForLines(2)).toEqual(['new:1', 'new:2']);
    one.close();

    // A rotation keeps the channel, and its rotated copy is no channel of its own.
    await rename(path.join(dir, 'logs', 'x.log'), path.join(dir, 'logs', 'x.log.2'));
    await writeFile(path.join(dir, 'logs', 'x.log'), 'x:2\n');
    await writeFile(path.join(dir, 'logs', 'marker'), '');
    await expect.poll(() => files(url!)).toEqual(['a.log', 'logs/x.log', 'logs/new.log', 'logs/marker']);

    // A file deleted is drained, then dropped from the files and the metrics.
    const metrics = async () => (await getText(`${url}/metrics`)).body;
    expect(await metrics()).toContain('evlog_file_size_bytes{file="logs/new.log"} 12');
    await rm(path.join(dir, 'logs', 'new.log'));
    await expect.poll(() => files(url!), { timeout: 20_000 }).toEqual(['a.log', 'logs/x.log', 'logs/marker']);
    expect(await metrics()).not.toContain('logs/new.log');
    expect(server.stderr()).not.toMatch(/warning|cannot/);
  });

  it('starts with a glob that matches nothing, and a listener there sees the first file from its first line', async () => {
    const dir = await tmpDir();
    const server = spawnCli(['serve', '-p', '0', 'logs/**/*.log'], { cwd: dir, env: { EVLOG_STATE_DIR: path.join(dir, 'state') } });
    const [, url] = await waitForMatch(server.stderr, /on (http:\/\/\S+)\n/);
    expect(server.stderr()).toMatch(/^evlog: logs\/\*\*\/\*\.log matches no file yet; waiting for files to appear$/m);
    const listener = spawnCli(['listen', url!, '-H', '-n', '3']);
    // The listener is reading before the file exists.
    await expect.poll(async () => (JSON.parse((await getText(`${url}/healthz`)).body) as { clients: { total: number } }).clients.total).toBe(1);
    await mkdir(path.join(dir, 'logs', 'deep'), { recursive: true });
    await writeFile(path.join(dir, 'logs', 'deep', 'first.log'), 'u1:signup\nu1:login\nu1:logout\n');
    const { code } = await listener.exited;
    expect(code).toBe(0);
    expect(listener.stdout()).toBe('logs/deep/first.log:u1:signup\nlogs/deep/first.log:u1:login\nlogs/deep/first.log:u1:logout\n');
  });

  it('fails at start on a path it cannot follow, naming it', async () => {
    const dir = await tmpDir();
    await mkdir(path.join(dir, 'adir'));
    const server = spawnCli(['serve', '-p', '0', 'logs/*.log', 'adir'], { cwd: dir, env: { EVLOG_STATE_DIR: path.join(dir, 'state') } });
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(server.stderr()).toMatch(/^evlog: logs\/\*\.log matches no file yet; waiting for files to appear\nevlog: .*adir.*directory/m);
  });
});
