import { spawnSync } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { BIN, runCli, spawnCli, waitForMatch } from '../helpers/cli.js';
import { appendLines, expectSequence, numbered } from '../helpers/lines.js';
import { tmpDir } from '../helpers/tmp.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/callbacks');
const serving = /on (http:\/\/127\.0\.0\.1:(\d+))/;

async function serve(file: string, port = '0') {
  const server = spawnCli(['serve', '-p', port, file]);
  const [, url, realPort] = await waitForMatch(server.stderr, serving);
  return { ...server, url: url!, port: realPort! };
}

async function httpClients(url: string): Promise<number> {
  return ((await (await fetch(`${url}/healthz`)).json()) as { clients: { http: number } }).clients.http;
}

describe('evlog listen (real binaries)', () => {
  it('loses and repeats nothing when the server is killed with -9 and restarted', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'event.log');
    await writeFile(file, '');
    const first = await serve(file);
    const listener = spawnCli(['listen', first.url]);
    await vi.waitFor(async () => expect(await httpClients(first.url)).toBe(1), { timeout: 10_000 });
    await appendLines(file, 0, 10);
    await waitForMatch(listener.stdout, /seq:9\n/);
    first.child.kill('SIGKILL');
    await first.exited;
    await appendLines(file, 10, 50); // while nobody serves the file
    await serve(file, first.port);
    await appendLines(file, 60, 10);
    await waitForMatch(listener.stdout, /seq:69\n/, 20_000);
    expectSequence(listener.stdout().split('\n').filter(Boolean), 70);
    expect(listener.stderr()).toMatch(/reconnecting in/);
  });

  it('ends quietly with 0 when the reader of its stdout goes away (| head -n 2)', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'event.log');
    await writeFile(file, '');
    const server = await serve(file);
    const generator = spawnCli(['generate', '-r', '200', file]);
    const result = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" listen ${server.url} -m impression | head -n 2; echo "status=\${PIPESTATUS[0]}" >&2`], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    generator.child.kill('SIGTERM');
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect(result.stderr).toBe('status=0\n');
  });

  it('exits 0 after --count matches and prints raw lines for pipes', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'event.log');
    await writeFile(file, 's1:impression\ns1:click\ns2:impression\ns3:impression\n');
    const server = await serve(file);
    const result = await runCli(['listen', server.url, '--from', 'start', '-m', 'impression', '-n', '2']);
    expect(result).toMatchObject({ code: 0, stdout: 's1:impression\ns2:impression\n', stderr: '' });
  });

  it('finishes a running callback and saves the checkpoint on SIGTERM, then resumes after it', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'event.log');
    const out = path.join(dir, 'handled.txt');
    const checkpoint = path.join(dir, 'cp');
    await writeFile(file, numbered(0, 3));
    const server = await serve(file);
    const env = { EVLOG_FIXTURE_OUT: out, EVLOG_FIXTURE_DELAY_MS: '300' };
    const listener = spawnCli(['listen', server.url, '--from', 'start', '-c', path.join(FIXTURES, 'slow.mjs'), '--checkpoint', checkpoint], { env });
    await vi.waitFor(async () => expect(await httpClients(server.url)).toBe(1), { timeout: 10_000 });
    listener.child.kill('SIGTERM');
    expect((await listener.exited).code).toBe(0);
    const handled = (await readFile(out, 'utf8')).split('\n').filter(Boolean);
    expect(handled.length).toBeGreaterThanOrEqual(1);
    // The next run starts right after what was handled: nothing skipped, nothing twice.
    await appendFile(file, numbered(3, 1));
    const again = await runCli(['listen', server.url, '-c', path.join(FIXTURES, 'slow.mjs'), '--checkpoint', checkpoint, '-n', String(4 - handled.length)], { env: { ...env, EVLOG_FIXTURE_DELAY_MS: '0' } });
    expect(again.code).toBe(0);
    expectSequence((await readFile(out, 'utf8')).split('\n').filter(Boolean), 4);
  });

  it.each([
    [['-m', '('], /^evlog: option '-m, --match <regex>' argument '\(' is invalid/, 2],
    [['-c', path.join(FIXTURES, 'syntax-error.mjs')], /^evlog: callback module .*syntax-error\.mjs failed to load: /, 2],
    [['-c', path.join(FIXTURES, 'no-function.mjs')], /has no default export that is a function/, 2],
    [['-c', './missing.js'], /^evlog: callback module \.\/missing\.js not found \(-c takes a JavaScript module file[^\n]*\)\n$/, 2],
    [['--from', 'nonsense'], /--from/, 2],
    [['--concurrency', '0'], /--concurrency/, 2],
    [['ftp://127.0.0.1'], /unsupported URL scheme/, 2],
    [['http://127.0.0.1:1', '--no-reconnect'], /^evlog: cannot read http:\/\/127\.0\.0\.1:1\/stream: connection refused\n$/, 1],
  ])('rejects %j with one line and exit %s', async (args, message, code) => {
    const result = await runCli(['listen', ...args]);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('exits 1 with "unauthorized" on a 401, without retrying', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'event.log');
    await writeFile(file, '');
    const server = spawnCli(['serve', '-p', '0', '--token', 't0k', file]);
    const [, url] = await waitForMatch(server.stderr, serving);
    const result = await runCli(['listen', url!]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('evlog: unauthorized (the server wants a token: --token or EVLOG_TOKEN)\n');
    await appendFile(file, 'a:1\n');
    const ok = await runCli(['listen', url!, '--from', 'start', '-n', '1'], { env: { EVLOG_TOKEN: 't0k' } });
    expect(ok).toMatchObject({ code: 0, stdout: 'a:1\n' });
  });
});
