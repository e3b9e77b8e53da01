import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runUnprivileged, spawnCli, waitForMatch } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { closedPort } from '../helpers/ports.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/callbacks');

async function serveLines(dir: string, lines: string[]): Promise<string> {
  const file = path.join(dir, 'event.log');
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
  const server = spawnCli(['serve', '-p', '0', file]);
  return (await waitForMatch(server.stderr, /on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
}


describe('listen runs callbacks whatever they do', () => {
  it('retries and dead-letters callbacks that throw odd values, with the cause of a failed fetch', async () => {
    const dir = await tmpDir();
    const url = await serveLines(dir, ['s:0', 's:1', 's:2', 's:3', 's:fetch']);
    const deadLetter = path.join(dir, 'dead.ndjson');
    const result = await runCli(['listen', url, '--from', 'start', '-n', '5', '-c', path.join(FIXTURES, 'throws-odd.mjs'),
      '--retries', '1', '--retry-delay', '1', '--dead-letter', deadLetter], { env: { EVLOG_FIXTURE_URL: `http://127.0.0.1:${await closedPort()}/hook` } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const dead = (await readFile(deadLetter, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { line: string; error: string; attempts: number });
    expect(dead.map((d) => [d.line, d.attempts])).toEqual([['s:0', 2], ['s:1', 2], ['s:2', 2], ['s:3', 2], ['s:fetch', 2]]);
    expect(dead[0]!.error).toBe('threw {}');
    expect(dead[1]!.error).toBe('threw [object Object]');
    expect(dead[2]!.error).toBe('threw plain text');
    expect(dead[3]!.error).toBe('threw undefined');
    expect(dead[4]!.error).toMatch(/^fetch failed: .*ECONNREFUSED 127\.0\.0\.1:\d+/);
  });

  it('runs 20 async callbacks at once without a MaxListenersExceededWarning', async () => {
    const dir = await tmpDir();
    const lines = Array.from({ length: 60 }, (_, i) => `s${i}:click`);
    const url = await serveLines(dir, lines);
    const out = path.join(dir, 'out.txt');
    const result = await runCli(['listen', url, '--from', 'start', '-n', '60', '--concurrency', '20', '-c', path.join(FIXTURES, 'slow.mjs')], {
      env: { EVLOG_FIXTURE_OUT: out, EVLOG_FIXTURE_DELAY_MS: '50' },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await readFile(out, 'utf8')).trimEnd().split('\n').sort()).toEqual([...lines].sort());
  });
});

describe('listen checks its checkpoint before it connects', () => {
  it('refuses a checkpoint in a directory it cannot write, with exit 1 and nothing handled', async () => {
    const dir = await tmpDir();
    await mkdir(path.join(dir, 'locked'));
    await chmod(path.join(dir, 'locked'), 0o555);
    await chmod(dir, 0o755);
    // A server nobody runs: had it connected first, it would be retrying forever.
    const { code, stderr } = runUnprivileged(['listen', `127.0.0.1:${await closedPort()}`, '--checkpoint', path.join(dir, 'locked', 'cp')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^evlog: cannot write checkpoint .*locked\/cp: permission denied\n$/);
  });

  it.each([
    ['garbage\n', '"garbage"'],
    ['\u0000\u0001\u00ff binary', '"\\u0000\\u0001ÿ binary"'],
  ])('refuses a checkpoint that holds no id (%j), naming the file', async (content, shown) => {
    const dir = await tmpDir();
    const checkpoint = path.join(dir, 'notify.cp');
    await writeFile(checkpoint, content);
    const result = await runCli(['listen', `127.0.0.1:${await closedPort()}`, '--checkpoint', checkpoint]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`evlog: checkpoint ${checkpoint} does not hold a record id (it holds ${shown}); remove it to start afresh\n`);
  });
});
