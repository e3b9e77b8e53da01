/**
 * Where a server of several files keeps its interleave index: under the state directory
 * (`--state-dir`, else `EVLOG_STATE_DIR`, else `$XDG_STATE_HOME/evlog`, else
 * `~/.local/state/evlog`), one subdirectory per server, named by a hash of its working directory
 * and its arguments: the same command in the same place finds its index again after a restart,
 * and two different servers never share one.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export function defaultStateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EVLOG_STATE_DIR) return path.resolve(env.EVLOG_STATE_DIR);
  const xdg = env.XDG_STATE_HOME;
  // The XDG spec says a relative value is invalid and must be ignored.
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'evlog');
  return path.join(homedir(), '.local', 'state', 'evlog');
}

/** Creates (if need be) and returns the directory of the server following `args` from `cwd`. */
export function serverStateDir(root: string, args: readonly string[], cwd = process.cwd()): string {
  const key = createHash('sha256').update(JSON.stringify({ cwd: path.resolve(cwd), args })).digest('hex').slice(0, 16);
  const dir = path.join(path.resolve(root), key);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // For a person looking in the directory: which server this is.
  writeFileSync(path.join(dir, 'server.json'), `${JSON.stringify({ cwd: path.resolve(cwd), args }, null, 1)}\n`);
  return dir;
}
