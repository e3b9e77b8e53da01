import { appendFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, waitForMatch } from '../helpers/cli.js';
import { openStream } from '../helpers/clients.js';
import { numbered } from '../helpers/lines.js';
import { tmpDir } from '../helpers/tmp.js';

const servingLine = /^evlog: serving (.+) on (http:\/\/127\.0\.0\.1:\d+)$/m;

interface Rec {
  id: string;
  file: string;
  line: string;
}

async function serve(args: string[], cwd: string): Promise<{ url: string; said: string; kill: () => Promise<void> }> {
  const run = spawnCli(['serve', '-p', '0', ...args], { cwd, env: { EVLOG_STATE_DIR: '' } });
  const [, said, url] = await waitForMatch(run.stderr, servingLine);
  return {
    url: url!,
    said: said!,
    kill: async () => {
      // No goodbye: what a crash leaves is what the next start reads.
      run.child.kill('SIGKILL');
      await run.exited;
    },
  };
}

describe('evlog serve with several files', () => {
  it('names them all on start, and resumes the merged stream exactly after being killed and started again', async () => {
    const dir = await tmpDir();
    const names = ['a.log', 'b.log', 'c.log'];
    for (const n of names) await appendFile(path.join(dir, n), '');
    const args = ['--state-dir', 'state', ...names];
    let server = await serve(args, dir);
    expect(server.said).toBe('a.log, b.log, c.log');
    const counts = [0, 0, 0];
    const write = async (rounds: number): Promise<void> => {
      for (let r = 0; r < rounds; r++) {
        for (const [i, n] of names.entries()) {
          await appendFile(path.join(dir, n), numbered(counts[i]!, i + 1, n[0]));
          counts[i]! += i + 1;
        }
      }
    };
    const first = await openStream(`${server.url}/stream?format=ndjson`);
    await write(10);
    const before = (await first.waitForLines(60)).map((l) => JSON.parse(l) as Rec);
    first.close();
    await server.kill();
    // Written while no server ran: indexed at the next start.
    await write(10);
    server = await serve(args, dir);
    expect((await readdir(path.join(dir, 'state'))).length).toBe(1);
    const cut = 41;
    const resumed = await openStream(`${server.url}/stream?format=ndjson&from=${encodeURIComponent(before[cut]!.id)}`);
    await write(5);
    const after = (await resumed.waitForLines(60 - cut - 1 + 60 + 30)).map((l) => JSON.parse(l) as Rec);
    expect(after.slice(0, 60 - cut - 1)).toEqual(before.slice(cut + 1));
    // Every file's sequence goes on exactly where the client stood in it.
    const all = [...before.slice(0, cut + 1), ...after];
    for (const [i, n] of names.entries()) {
      expect(all.filter((r) => r.file === n).map((r) => r.line).join('\n')).toBe(numbered(0, counts[i]!, n[0]).trimEnd());
    }
    await server.kill();
  });

  it('gives the listener each record\'s file: --json prints it, and the plain output stays the raw lines', async () => {
    const dir = await tmpDir();
    for (const n of ['a.log', 'b.log']) await appendFile(path.join(dir, n), `${n[0]}:1\n`);
    const server = await serve(['--state-dir', 'state', 'a.log', 'b.log'], dir);
    const json = await runCli(['listen', server.url, '--json', '--from', 'start', '-n', '2', '--no-reconnect']);
    expect(json.code).toBe(0);
    const recs = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Rec);
    expect(recs.map((r) => [r.file, r.line]).sort()).toEqual([['a.log', 'a:1'], ['b.log', 'b:1']]);
    const plain = await runCli(['listen', server.url, '--from', 'start', '-n', '2', '--no-reconnect']);
    expect(plain.stdout.split('\n').sort()).toEqual(['', 'a:1', 'b:1']);
    await server.kill();
  });

  it('refuses a state directory it cannot use, and one another server of the same files is using, in one line', async () => {
    const dir = await tmpDir();
    for (const n of ['a.log', 'b.log']) await appendFile(path.join(dir, n), '');
    const bad = await runCli(['serve', '-p', '0', '--state-dir', '/dev/null/state', 'a.log', 'b.log'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^evlog: cannot use the state directory \/dev\/null\/state: .*\n$/);
    const server = await serve(['--state-dir', 'state', 'a.log', 'b.log'], dir);
    const second = await runCli(['serve', '-p', '0', '--state-dir', 'state', 'a.log', 'b.log'], { cwd: dir });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^evlog: the state directory \S+ is in use by process \d+ .*\n$/);
    await server.kill();
    // A lock left by a server that was killed is taken over.
    const again = await serve(['--state-dir', 'state', 'a.log', 'b.log'], dir);
    await again.kill();
  });
});

