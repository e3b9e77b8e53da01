import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForMatch } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const START = path.resolve(import.meta.dirname, '../../scripts/start.js');
let child: ReturnType<typeof spawn> | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('npm start', () => {
  it('runs generators of two files, a server of both and a listener together, and Ctrl-C stops them all with 0', async () => {
    const dir = await tmpDir();
    child = spawn(process.execPath, [START], { cwd: dir, env: { ...process.env, EVLOG_PORT: '0', EVLOG_STATE_DIR: path.join(dir, 'state') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = once(child, 'exit');
    // Both files' events, each line after its file's name.
    await waitForMatch(() => out, /^event\.log:s-[0-9a-f]{8}:impression\n/m, 15_000);
    await waitForMatch(() => out, /^api\.log:s-[0-9a-f]{8}:error\n/m, 15_000);
    expect(out).not.toMatch(/:click|:buy|:request/);
    child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(err).toMatch(/\[serve\] evlog: serving event\.log, api\.log on http:\/\/127\.0\.0\.1:\d+/);
    expect(err).not.toMatch(/exited/);
  });
});
