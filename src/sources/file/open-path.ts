/**
 * Opening whatever file is at the followed path now. Identity comes from the descriptor we hold,
 * not from an earlier stat of the path, so a rename in between cannot pair one file's identity
 * with another's bytes.
 */
import { RuntimeError, describeSystemError } from '../../errors.js';
import { closeFd, openFile } from './descriptor.js';
import { sameFile, type FileIdentity } from './cursor.js';
import { Generation } from './generation.js';

export function fileError(file: string, err: unknown): RuntimeError {
  return new RuntimeError('EVLOG_ERR_FILE_READ', `cannot read ${file}: ${describeSystemError(err)}`, { cause: err });
}

export function isDirectoryError(file: string): RuntimeError {
  return fileError(file, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
}

/**
 * The file at `file` as a new generation, or undefined when there is none to follow: gone again
 * already (the next event tells), or the very file we hold (renamed away and back between two
 * looks). Failing to open it is fatal only while `starting`.
 */
export async function openAtPath(
  file: string,
  previous: FileIdentity | undefined,
  starting: boolean,
  onRead: (bytes: number) => void,
): Promise<Generation | undefined> {
  let opened;
  try {
    opened = openFile(file);
  } catch (err) {
    if (starting) throw fileError(file, err);
    throw err;
  }
  if (!opened) return undefined;
  const { fd, stats } = opened;
  if (stats.isDirectory()) {
    closeFd(fd);
    throw isDirectoryError(file);
  }
  if (previous && sameFile(previous, stats)) {
    closeFd(fd);
    return undefined;
  }
  return new Generation(fd, stats, stats.size, onRead);
}
