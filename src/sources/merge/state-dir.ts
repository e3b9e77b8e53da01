/**
 * Where a server of several files keeps its interleave index: under the state directory
 * (`--state-dir`, else `EVLOG_STATE_DIR`, else `$XDG_STATE_HOME/evlog`, else
 * `~/.local/state/evlog`), one subdirectory per server, named by a hash of its working directory
 * and its arguments: the same command in the same place finds its index again after a restart,
 * and two different servers never share one.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { describeSystemError, isErrnoException, RuntimeError } from '../../errors.js';

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
  try {
    makeDirs(dir);
    // For a person looking in the directory: which server this is.
    writeFileSync(path.join(dir, 'server.json'), `${JSON.stringify({ cwd: path.resolve(cwd), args }, null, 1)}\n`);
  } catch (err) {
    throw new RuntimeError('EVLOG_ERR_STATE', `cannot use the state directory ${root}: ${describeSystemError(err)}`, { cause: err });
  }
  return dir;
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir loops for ever (at full CPU, deaf to
 * signals) where a parent cannot hold directories, /proc for one; this fails there at once.
 */
function makeDirs(dir: string): void {
  const parent = path.dirname(dir);
  if (parent !== dir && !existsSync(parent)) makeDirs(parent);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if (!isErrnoException(err, 'EEXIST')) throw err;
  }
}

/**
 * Claims `dir` for this process: two servers writing one index would break each other's ids. A
 * lock left by a process that is gone is taken over. Returns the release.
 */
export function lockStateDir(dir: string): () => void {
  const lock = path.join(dir, 'lock');
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if (!isErrnoException(err, 'EEXIST') || attempt > 0) throw new RuntimeError('EVLOG_ERR_STATE', `cannot lock the state directory ${dir}: ${describeSystemError(err)}`, { cause: err });
    }
    const pid = Number(readFileSync(lock, 'utf8').trim());
    if (Number.isSafeInteger(pid) && pid > 0 && (pid === process.pid || alive(pid))) {
      throw new RuntimeError('EVLOG_ERR_STATE', `the state directory ${dir} is in use by process ${pid} (another evlog serve of the same files from the same directory; give it another --state-dir)`);
    }
    rmSync(lock, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrnoException(err, 'EPERM');
  }
}
