import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, waitForMatch } from '../helpers/cli.js';
import { examples, runShell, shellDir } from '../helpers/readme.js';

describe('the README\'s listen examples work as written', async () => {
  const commands = await examples('## `evlog listen [url]`');

  it('has examples that end by themselves', () => {
    expect(commands.length).toBeGreaterThanOrEqual(4);
    // Each one ends on its own: a count, or head closing the pipe.
    for (const command of commands) expect(command, command).toMatch(/ -n \d+|\| head/);
  });

  it.each(commands)('%s', async (command) => {
    const shell = await shellDir();
    const { dir } = shell;
    const file = path.join(dir, 'event.log');
    const events = ['-e', 'impression,click,buy,healthcheck'];
    expect((await runCli(['generate', '-n', '200', '-r', '0', ...events, file])).code).toBe(0);
    const server = spawnCli(['serve', '-p', '0', file]);
    const [, hostPort] = await waitForMatch(server.stderr, /on http:\/\/(127\.0\.0\.1:\d+)/);
    const writer = spawnCli(['generate', '-r', '200', ...events, file]);
    try {
      // The README's address is the default one; here the server is on a free port.
      const runnable = command.includes('127.0.0.1:8001')
        ? command.replaceAll('127.0.0.1:8001', hostPort!)
        : command.replace('evlog listen', `evlog listen http://${hostPort}`);
      const result = runShell(runnable, shell);
      expect(result.stderr, runnable).toBe('');
      expect(result.status, runnable).toBe(0);
      if (command.includes(' -c ')) {
        expect((await readFile(path.join(dir, 'notifications.log'), 'utf8')).trimEnd().split('\n')).toHaveLength(3);
        expect(await readFile(path.join(dir, 'notify.cp'), 'utf8')).toMatch(/^[0-9a-z][0-9a-z.-]*\n$/);
      } else {
        expect(result.stdout.trimEnd().split('\n').length, runnable).toBeGreaterThanOrEqual(5);
      }
    } finally {
      writer.child.kill('SIGTERM');
    }
  });
});

describe('the README\'s examples of several files work as written', async () => {
  const commands = await examples('Several files (a server of');

  it.each(commands)('%s', async (command) => {
    const shell = await shellDir();
    const { dir } = shell;
    const env = { EVLOG_STATE_DIR: path.join(dir, 'state') };
    const server = spawnCli(['serve', '-p', '0', 'event.log', 'api.log'], { cwd: dir, env });
    const [, hostPort] = await waitForMatch(server.stderr, /on http:\/\/(127\.0\.0\.1:\d+)/);
    const writers = [
      spawnCli(['generate', '-r', '100', '-e', 'impression,click,buy', 'event.log'], { cwd: dir }),
      spawnCli(['generate', '-r', '100', '-e', 'request,error', 'api.log'], { cwd: dir }),
    ];
    try {
      const runnable = command.replace('evlog listen', `evlog listen http://${hostPort}`);
      const result = runShell(runnable, shell);
      expect(result.stderr, runnable).toBe('');
      expect(result.status, runnable).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines, runnable).toHaveLength(5);
      if (command.includes('-f api.log')) for (const line of lines) expect(line).toMatch(/^s-[0-9a-f]{8}:(request|error)$/);
      if (command.includes(' -H ')) for (const line of lines) expect(line).toMatch(/^(event\.log:s-[0-9a-f]{8}:impression|api\.log:s-[0-9a-f]{8}:error)$/);
      if (command.includes('jq')) for (const line of lines) expect(line).toMatch(/^(event|api)\.log$/);
    } finally {
      for (const writer of writers) writer.child.kill('SIGTERM');
    }
  });
});
