/**
 * The checkpoint file: the id of the last event before which everything was handled. Written
 * atomically (temp file + rename) so a crash leaves the old or the new id, never half of one;
 * writes coalesce (one in flight, the latest id next) and `flush()` writes the final one.
 */
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RuntimeError, describeSystemError, isErrnoException } from '../errors.js';

export class Checkpoint {
  readonly file: string;
  #wanted: string | undefined;
  #written: string | undefined;
  #writing: Promise<void> | undefined;
  #failure: Error | undefined;

  private constructor(file: string, saved: string | undefined) {
    this.file = file;
    this.#wanted = saved;
    this.#written = saved;
  }

  /** Opens the checkpoint, reading the saved id if there is one. */
  static async open(file: string): Promise<Checkpoint> {
    let saved: string | undefined;
    try {
      saved = (await readFile(file, 'utf8')).trim() || undefined;
    } catch (err) {
      if (!isErrnoException(err, 'ENOENT')) {
        throw new RuntimeError('EVLOG_ERR_CHECKPOINT', `cannot read checkpoint ${file}: ${describeSystemError(err)}`, { cause: err });
      }
      // Fail now, not at the first event, if the checkpoint could never be written.
      const dir = path.dirname(path.resolve(file));
      const dirStats = await stat(dir).catch(() => undefined);
      if (!dirStats?.isDirectory()) {
        throw new RuntimeError('EVLOG_ERR_CHECKPOINT', `cannot write checkpoint ${file}: directory ${dir} does not exist`);
      }
    }
    return new Checkpoint(file, saved);
  }

  get saved(): string | undefined {
    return this.#written;
  }

  set(id: string): void {
    this.#wanted = id;
    this.#writing ??= this.#drain();
  }

  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    if (this.#failure) throw this.#failure;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#wanted !== this.#written && this.#wanted !== undefined) {
        const id = this.#wanted;
        const tmp = `${this.file}.${process.pid}.tmp`;
        await writeFile(tmp, `${id}\n`);
        await rename(tmp, this.file);
        this.#written = id;
      }
    } catch (err) {
      this.#failure = new RuntimeError('EVLOG_ERR_CHECKPOINT', `cannot write checkpoint ${this.file}: ${describeSystemError(err)}`, { cause: err });
    } finally {
      this.#writing = undefined;
    }
  }
}
