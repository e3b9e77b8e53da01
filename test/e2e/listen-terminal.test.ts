import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, spawnCli, waitForMatch } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const RED = '\x1b[01;31m\x1b[K';
const OFF = '\x1b[m\x1b[K';

async function serveLines(lines: string[]): Promise<string> {
  const file = path.join(await tmpDir(), 'event.log');
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
  const server = spawnCli(['serve', '-p', '0', file]);
  return (await waitForMatch(server.stderr, /on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
}

/** The real binary with its stdout on a terminal (util-linux `script` gives it a pseudo-terminal). */
function onTerminal(args: string[], env: NodeJS.ProcessEnv): string {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return execFileSync('script', ['-qec', quoted, '/dev/null'], { encoding: 'utf8', timeout: 20_000, env });
}

describe('listen highlights the matched text like grep', () => {
  const args = (url: string, ...more: string[]) => ['listen', url, '--from', 'start', '-n', '2', '-m', 'cl[a-z]+', '-m', 'buy', ...more];
  const withoutNoColor = (): NodeJS.ProcessEnv => {
    const env = { ...process.env };
    delete env.NO_COLOR;
    return env;
  };

  it('on a terminal, unless NO_COLOR is set or --color never', async () => {
    const url = await serveLines(['s1:click', 's2:buy', 's3:close buy click']);
    expect(onTerminal(args(url), withoutNoColor())).toContain(`s1:${RED}click${OFF}\r\ns2:${RED}buy${OFF}\r\n`);
    expect(onTerminal(args(url), { ...withoutNoColor(), NO_COLOR: '1' })).toBe('s1:click\r\ns2:buy\r\n');
    expect(onTerminal(args(url, '--color', 'never'), withoutNoColor())).toBe('s1:click\r\ns2:buy\r\n');
    // A flag beats the environment.
    expect(onTerminal(args(url, '--color', 'always'), { ...withoutNoColor(), NO_COLOR: '1' })).toContain(`${RED}click${OFF}`);
  });

  it('never into a pipe unless --color always; every match of every pattern', async () => {
    const url = await serveLines(['s3:close buy click', 's1:click']);
    // The URL as `curl` users type it, without http://.
    const piped = await runCli(args(url.replace('http://', '')), { env: withoutNoColor() });
    expect(piped.stdout).toBe('s3:close buy click\ns1:click\n');
    const always = await runCli(args(url, '--color', 'always'));
    expect(always.stdout).toBe(`s3:${RED}close${OFF} ${RED}buy${OFF} ${RED}click${OFF}\ns1:${RED}click${OFF}\n`);
    // --json output is data for jq: never coloured.
    expect((await runCli([...args(url, '--color', 'always'), '--json'])).stdout).not.toContain('\x1b');
  });
});
