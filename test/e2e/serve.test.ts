import { spawn } from 'node:child_process';
import { appendFile, chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runCli, runUnprivileged, spawnCli, waitForMatch } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const servingLine = /^evlog: serving (.+) on (http:\/\/127\.0\.0\.1:(\d+))$/m;

async function startCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnCli(['serve', '-p', '0', ...args], { env });
  const [, , url, port] = await waitForMatch(run.stderr, servingLine);
  return { ...run, url: url!, port: port! };
}

describe('evlog serve (real binary)', () => {
  it('announces the real port on stderr and streams to curl -N', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'event.log');
    await writeFile(file, '');
    const server = await startCli([file]);
    expect(server.stderr()).toMatch(new RegExp(`^evlog: serving ${file} on http://127\\.0\\.0\\.1:\\d+\\n$`));
    const curl = spawn('curl', ['-sN', `${server.url}/stream`]);
    let out = '';
    curl.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    await expect.poll(async () => (await fetch(`${server.url}/healthz`).then((r) => r.json()) as { clients: { http: number } }).clients.http).toBe(1);
    await appendFile(file, 's1:impression\ns2:click\n');
    await expect.poll(() => out).toBe('s1:impression\ns2:click\n');
    curl.kill();
    expect(server.stdout()).toBe('');
  });

  it('waits for a file that does not exist yet and says so', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'later.log');
    const server = await startCli([file]);
    expect(server.stderr()).toMatch(/later\.log does not exist yet; waiting for it to appear\n/);
    const res = await fetch(`${server.url}/stream?format=ndjson`);
    const reader = res.body!.getReader();
    await writeFile(file, 'first:1\n');
    const { value } = await reader.read();
    expect(JSON.parse(Buffer.from(value!).toString())).toMatchObject({ line: 'first:1' });
    await reader.cancel();
  });

  it('exits 0 within 2 s on SIGTERM, closing WebSockets with 1001 and ending HTTP streams', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'event.log');
    await writeFile(file, '');
    const server = await startCli([file]);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.on('open', resolve));
    const stream = await fetch(`${server.url}/stream`);
    const body = stream.text();
    const started = performance.now();
    server.child.kill('SIGTERM');
    const { code } = await server.exited;
    expect(code).toBe(0);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await closed).toBe(1001);
    await expect(body).resolves.toBe('');
  });

  it('takes the token from EVLOG_TOKEN', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'event.log');
    await writeFile(file, '');
    const server = await startCli([file], { EVLOG_TOKEN: 'from-env' });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer from-env' } })).status).toBe(200);
  });

  it('refuses a busy port with exit 1 and one line', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'event.log');
    await writeFile(file, '');
    const first = await startCli([file]);
    const second = await runCli(['serve', '-p', first.port, file]);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(`evlog: port ${first.port} is already in use\n`);
  });

  it('refuses a directory with exit 1 and one line', async () => {
    const dir = await tmpDir();
    const result = await runCli(['serve', '-p', '0', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`evlog: cannot read ${dir}: is a directory\n`);
  });

  it('refuses an unreadable file with exit 1', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'secret.log');
    await writeFile(file, 'x:1\n');
    await chmod(file, 0o000);
    await chmod(dir, 0o755);
    const { code, stderr } = runUnprivileged(['serve', '-p', '0', file]);
    expect(code).toBe(1);
    expect(stderr).toBe(`evlog: cannot read ${file}: permission denied\n`);
  });

  it.each([
    [['-p', 'http'], /--port/],
    [['--max-line-bytes', '0'], /--max-line-bytes/],
    [['--max-clients', '-5'], /--max-clients/],
  ])('rejects %j with exit 2', async (args, message) => {
    const dir = await tmpDir();
    await mkdir(path.join(dir, 'x'));
    const result = await runCli(['serve', ...args, path.join(dir, 'e.log')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('evlog serve on a path whose directory does not exist yet', () => {
  it('says so once, like tail -F, and follows the file once both appear', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'nonexistent-dir', 'x.log');
    const server = await startCli([file]);
    const said = `evlog: ${file} does not exist yet, nor does its directory ${path.dirname(file)}; waiting for them to appear\n`;
    expect(server.stderr()).toBe(`${said}evlog: serving ${file} on ${server.url}\n`);
    const res = await fetch(`${server.url}/stream?format=ndjson`);
    const reader = res.body!.getReader();
    await mkdir(path.dirname(file));
    await writeFile(file, 'first:1\n');
    const { value } = await reader.read();
    expect(JSON.parse(Buffer.from(value!).toString())).toMatchObject({ line: 'first:1' });
    await reader.cancel();
    expect(server.stderr().split(said)).toHaveLength(2);
  });
});
