import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

describe('evlog CLI (in process)', () => {
  it('prints help and version on stdout with exit 0', async () => {
    const help = await runInProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: evlog/);
    expect(help.stdout).toMatch(/generate/);
    expect(help.stderr).toBe('');
    const version = await runInProcess(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [['generate', '-n', '-1'], /^evlog: option '-n, --count <n>' argument '-1' is invalid/],
    [['generate', '-r', 'abc'], /^evlog: option '-r, --rate <n>' argument 'abc' is invalid/],
    [['generate', '--format', 'xml'], /^evlog: option '--format <format>' argument 'xml' is invalid/],
    [['generate', '-s', '0'], /--sessions/],
    [['generate', '-e', 'a:b'], /--events/],
    [['generate', '--http', '99999'], /--http/],
    [['generate', '--http', '0', '--stdin'], /cannot be used with/],
    [['generate', '--colour'], /^evlog: unknown option '--colour'/],
    [['frobnicate'], /^evlog: unknown command 'frobnicate'/],
  ])('rejects %j with one line and exit 2', async (args, message) => {
    const result = await runInProcess(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('reports a file it cannot open as a runtime failure (exit 1), without a stack', async () => {
    const file = path.join(await tmpDir(), 'no', 'such', 'dir', 'x.log');
    const result = await runInProcess(['generate', '-n', '1', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`evlog: cannot open ${file} for appending: no such file or directory\n`);
  });

  it('runs generate to completion', async () => {
    const file = path.join(await tmpDir(), 'x.log');
    const result = await runInProcess(['generate', '-n', '10', '-r', '0', '-e', 'a,b', file]);
    expect(result.code).toBe(0);
    expect((await readFile(file, 'utf8')).split('\n').filter(Boolean)).toHaveLength(10);
  });
});
