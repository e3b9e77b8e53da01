import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, waitForMatch } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

/** A server of `a.log` and `b.log` in a fresh directory, named as given. */
async function twoFiles(): Promise<string> {
  const dir = await tmpDir();
  await writeFile(path.join(dir, 'a.log'), 's1:impression\ns2:click\n');
  await writeFile(path.join(dir, 'b.log'), 's3:error\ns4:request\ns5:error\n');
  const server = spawnCli(['serve', '-p', '0', 'a.log', 'b.log'], { cwd: dir, env: { EVLOG_STATE_DIR: path.join(dir, 'state') } });
  const [, url] = await waitForMatch(server.stderr, /on (http:\/\/\S+)\n/);
  return url!;
}

describe('evlog listen -f and -H', () => {
  it('reads the file named with -f, each line after its name with -H, as grep -H prints it', async () => {
    const url = await twoFiles();
    const plain = await runCli(['listen', url, '-f', 'b.log', '-H', '--from', 'start', '-n', '3']);
    expect(plain).toMatchObject({ code: 0, stderr: '' });
    expect(plain.stdout).toBe('b.log:s3:error\nb.log:s4:request\nb.log:s5:error\n');

    // Without -H, the lines as they are.
    const bare = await runCli(['listen', url, '-f', 'a.log', '--from', 'start', '-n', '2']);
    expect(bare.stdout).toBe('s1:impression\ns2:click\n');
  });

  it('colours the name and separator as grep does, and the match after them', async () => {
    const url = await twoFiles();
    const result = await runCli(['listen', url, '-f', 'b.log', '-H', '-m', 'error', '--color', 'always', '--from', 'start', '-n', '1']);
    expect(result.stdout).toBe('\x1b[35m\x1b[Kb.log\x1b[m\x1b[K\x1b[36m\x1b[K:\x1b[m\x1b[Ks3:\x1b[01;31m\x1b[Kerror\x1b[m\x1b[K\n');
  });

  it('carries the file in --json records, and takes no -H there', async () => {
    const url = await twoFiles();
    const result = await runCli(['listen', url, '-f', 'a.log', '-H', '--json', '--from', 'start', '-n', '1']);
    expect(JSON.parse(result.stdout)).toMatchObject({ file: 'a.log', line: 's1:impression', session: 's1', event: 'impression' });
  });

  it('reads the merged stream of the files a glob selects, and of all without -f', async () => {
    const url = await twoFiles();
    const some = await runCli(['listen', url, '-f', '*.log', '-H', '-m', 'error', '--from', 'start', '-n', '2']);
    expect(some.stdout).toBe('b.log:s3:error\nb.log:s5:error\n');
    const all = await runCli(['listen', url, '-H', '--from', 'start', '-n', '5']);
    expect(all.stdout.split('\n').filter(Boolean).sort()).toEqual(
      ['a.log:s1:impression', 'a.log:s2:click', 'b.log:s3:error', 'b.log:s4:request', 'b.log:s5:error'],
    );
  });

  it('takes a glob for a server of one file', async () => {
    const dir = await tmpDir();
    await writeFile(path.join(dir, 'only.log'), 'u1:signup\n');
    const server = spawnCli(['serve', '-p', '0', 'only.log'], { cwd: dir });
    const [, url] = await waitForMatch(server.stderr, /on (http:\/\/\S+)\n/);
    const result = await runCli(['listen', url!, '-f', '*.log', '-H', '--from', 'start', '-n', '1']);
    expect(result.stdout).toBe('only.log:u1:signup\n');
  });

  it('refuses an empty -f before connecting', async () => {
    const result = await runCli(['listen', 'http://127.0.0.1:9', '-f', '']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^evlog: .*--file.*empty/);
  });
});
