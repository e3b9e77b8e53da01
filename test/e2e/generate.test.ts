import { chmod, mkdir, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, runUnprivileged, spawnCli, waitForMatch } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const wellFormed = /^s-[0-9a-f]{8}:impression$/;

describe('evlog generate (real binary)', () => {
  it('writes exactly 1000 well-formed lines with -n 1000 -r 0', async () => {
    const dir = await tmpDir();
    const result = await runCli(['generate', '-n', '1000', '-r', '0', 'x.log'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const all = (await readFile(path.join(dir, 'x.log'), 'utf8')).split('\n');
    expect(all.pop()).toBe('');
    expect(all).toHaveLength(1000);
    for (const line of all) expect(line).toMatch(wellFormed);
  });

  it('defaults to event.log in the working directory', async () => {
    const dir = await tmpDir();
    expect((await runCli(['generate', '-n', '3'], { cwd: dir })).code).toBe(0);
    expect((await readFile(path.join(dir, 'event.log'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('flushes everything and exits 0 on %s', async (signal) => {
    const dir = await tmpDir();
    const file = path.join(dir, 'x.log');
    const run = spawnCli(['generate', '-r', '2000', file]);
    await expect.poll(async () => (await readFile(file, 'utf8').catch(() => '')).length, { timeout: 10_000 }).toBeGreaterThan(1000);
    run.child.kill(signal);
    const { code } = await run.exited;
    expect(code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.split('\n').slice(0, -1)) expect(line).toMatch(wellFormed);
  });

  it('appends stdin lines and exits at end of input', async () => {
    const dir = await tmpDir();
    const result = await runCli(['generate', '--stdin', 'in.log'], { cwd: dir, input: 'a:1\nb:2\n' });
    expect(result.code).toBe(0);
    expect(await readFile(path.join(dir, 'in.log'), 'utf8')).toBe('a:1\nb:2\n');
  });

  it('runs the HTTP app and names its real port on stderr', async () => {
    const dir = await tmpDir();
    const app = spawnCli(['generate', '--http', '0', 'app.log'], { cwd: dir });
    const [, url] = await waitForMatch(app.stderr, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect(await (await fetch(`${url}/signup?session=u1`)).text()).toBe(':)');
    app.child.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    expect(await readFile(path.join(dir, 'app.log'), 'utf8')).toBe('u1:signup\n');
  });

  it('reports a busy port as a runtime failure', async () => {
    const dir = await tmpDir();
    const first = spawnCli(['generate', '--http', '0', 'a.log'], { cwd: dir });
    const [, port] = await waitForMatch(first.stderr, /listening on http:\/\/127\.0\.0\.1:(\d+)/);
    const second = await runCli(['generate', '--http', port!, 'b.log'], { cwd: dir });
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(`evlog: port ${port} is already in use\n`);
  });

  it('refuses an unwritable file with one line and exit 1', async () => {
    const dir = await tmpDir();
    await mkdir(path.join(dir, 'locked'));
    await chmod(path.join(dir, 'locked'), 0o500);
    await chmod(dir, 0o755);
    const { code, stderr } = runUnprivileged(['generate', '-n', '1', path.join(dir, 'locked', 'x.log')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^evlog: cannot open .*x\.log for appending: permission denied\n$/);
  });

  it('shows progress on a terminal, and never on stdout or a pipe', async () => {
    const dir = await tmpDir();
    // `script` gives the child a pseudo-terminal; progress must appear there.
    const tty = execFileSync('script', ['-qec', `${process.execPath} ${BIN} generate -n 2000 -r 4000 t.log`, '/dev/null'], { cwd: dir, encoding: 'utf8' });
    expect(tty).toMatch(/evlog: [\d,]+ events, [\d,]+\/s/);
    expect(tty).toMatch(/2,000 events/);
    const piped = await runCli(['generate', '-n', '2000', '-r', '4000', 'p.log'], { cwd: dir });
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toBe('');
  });
});
