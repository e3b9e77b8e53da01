import { existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

describe('a state directory that cannot be made', () => {
  it.skipIf(!existsSync('/proc/self'))('under /proc (given, or from XDG_STATE_HOME) is one line and exit 1, not a hang', async () => {
    const dir = await tmpDir();
    for (const n of ['a.log', 'b.log']) await appendFile(path.join(dir, n), '');
    const given = await runCli(['serve', '-p', '0', '--state-dir', '/proc/evlog-state', 'a.log', 'b.log'], { cwd: dir });
    expect(given.code).toBe(1);
    expect(given.stderr).toMatch(/^evlog: cannot use the state directory \/proc\/evlog-state: [^\n]*\n$/);
    const xdg = await runCli(['serve', '-p', '0', 'a.log', 'b.log'], { cwd: dir, env: { EVLOG_STATE_DIR: '', XDG_STATE_HOME: '/proc/evlog-xdg' } });
    expect(xdg.code).toBe(1);
    expect(xdg.stderr).toMatch(/^evlog: cannot use the state directory \/proc\/evlog-xdg\/evlog: [^\n]*\n$/);
  });
});
