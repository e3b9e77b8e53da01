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
    [['listen', 'click'], /^evlog: 'click' is not a URL .*patterns go in -m: evlog listen -m 'click'$/m],
    [['listen', 'impression|click'], /patterns go in -m/],
    [['listen', '-c', 'impression'], /^evlog: callback module impression not found \(-c takes a JavaScript module file/],
    [['listen', '--tail', '5', '--from', 'start'], /^evlog: option '--from <id\|start>' cannot be used with option '--tail <n>'/],
    [['listen', '--token', ''], /^evlog: option '--token <secret>' argument '' is invalid. the token must not be empty/],
    [['serve', '--token', ''], /token must not be empty/],
    [['serve', '--max-line-bytes', '500000000'], /^evlog: option '--max-line-bytes <n>' argument '500000000' is invalid. expected at most 268435456 \(256 MiB\).$/m],
    [['listen', '--color', 'sometimes'], /--color/],
    // The pattern and the reason once each: no `Invalid regular expression: /(/:` repeated after them.
    [['listen', '-m', '('], /^evlog: option '-m, --match <regex>' argument '\(' is invalid. not a regular expression: unterminated group.$/m],
  ])('rejects %j with one line and exit 2', async (args, message) => {
    const result = await runInProcess(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('ends each command\'s help with examples; serve lists endpoints and query parameters', async () => {
    for (const command of ['generate', 'serve', 'listen']) {
      const help = await runInProcess([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout, command).toMatch(/\nExamples:\n( {2}evlog .*\n|\s+.*\n)+/);
      expect(help.stdout, command).not.toMatch(/default: \[\]/);
    }
    const serve = (await runInProcess(['serve', '--help'])).stdout;
    for (const endpoint of ['/stream', '/ws', '/healthz', '/metrics']) expect(serve).toContain(`GET ${endpoint}`);
    for (const param of ['format=', 'batch=1', 'tail=', 'from=', 'match=', 'ignore_case=1', 'invert=1', 'token=']) expect(serve).toContain(param);
    // Help's examples use the real place of the example modules, wherever the package is installed.
    const listen = (await runInProcess(['listen', '--help'])).stdout;
    const module = /-c (\S+notify\.js)/.exec(listen)?.[1];
    expect(module && path.isAbsolute(module)).toBe(true);
    await expect(readFile(module!, 'utf8')).resolves.toMatch(/export default/);
    expect((await runInProcess(['--help'])).stdout).toContain(`-c ${module}`);
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
