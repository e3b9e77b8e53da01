/**
 * Running the README's shell examples as written: the commands of one `sh` block, in a directory
 * where `evlog` is on the PATH (as after `npm install -g`) and `examples/` is where a clone has it.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmod, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN } from './cli.js';
import { tmpDir } from './tmp.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** The commands of the first `sh` block after `heading`, comments dropped. */
export async function examples(heading: string): Promise<string[]> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(heading);
  if (at < 0) throw new Error(`no '${heading}' in the README`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  return block.split('\n').map((line) => line.replace(/\s+#\s.*$/, '').trim()).filter(Boolean);
}

/** A fresh directory with `evlog` and `examples/` in it; `env` puts the directory first on the PATH. */
export async function shellDir(): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = await tmpDir();
  await writeFile(path.join(dir, 'evlog'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(path.join(dir, 'evlog'), 0o755);
  await symlink(path.join(ROOT, 'examples'), path.join(dir, 'examples'));
  return { dir, env: { ...process.env, PATH: `${dir}:${process.env['PATH']}` } };
}

/**
 * One command through bash in `dir`. `pipefail` unless the command's pipe ends early by design
 * (curl exits 23 when `head` has what it wanted and closes the pipe).
 */
export function runShell(command: string, shell: { dir: string; env: NodeJS.ProcessEnv }, pipefail = true): SpawnSyncReturns<string> {
  const args = pipefail ? ['-o', 'pipefail', '-c', command] : ['-c', command];
  return spawnSync('bash', args, { cwd: shell.dir, env: shell.env, encoding: 'utf8', timeout: 30_000 });
}
