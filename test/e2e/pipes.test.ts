import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

/**
 * Runs the real binary with the reader of `closed` gone before the process writes anything, as
 * with `| head` once head has exited: every write there fails with EPIPE.
 */
async function runWithClosed(args: string[], closed: 'stdout' | 'stderr', cwd?: string) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child[closed].destroy();
  const other = closed === 'stdout' ? child.stderr : child.stdout;
  let text = '';
  other.setEncoding('utf8').on('data', (d: string) => (text += d));
  const [code] = await once(child, 'close');
  return { code: code as number, other: text };
}

describe('output to a closed pipe ends quietly', () => {
  it.each(['--help', 'generate --help', 'serve --help', 'listen --help', '--version', 'help listen'])('evlog %s | head', async (args) => {
    const result = await runWithClosed(args.split(' '), 'stdout');
    expect(result.other).toBe('');
    expect(result.code).toBe(0);
  });

  it('a usage error with stderr closed still exits 2, without a trace', async () => {
    const result = await runWithClosed(['listen', '--colour'], 'stderr');
    expect(result.other).toBe('');
    expect(result.code).toBe(2);
  });

  it('generate with stderr closed still writes its events and exits 0', async () => {
    const dir = await tmpDir();
    const ok = await runWithClosed(['generate', '-n', '3', '-r', '0', path.join(dir, 'x.log')], 'stderr', dir);
    expect(ok.code).toBe(0);
    expect((await readFile(path.join(dir, 'x.log'), 'utf8')).split('\n')).toHaveLength(4);
  });
});
