/**
 * The checkpoint file: the id of the last event before which everything was handled. Written
 * atomically (temp file + rename) so a crash leaves the old or the new id, never half of one;
 * writes coalesce (one in flight, the latest id next) and `flush()` writes the final one.
 */
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
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

  /**
   * Opens the checkpoint, reading the saved id if there is one. Everything that would make it
   * fail later fails now, before anything connects: a directory that does not exist or cannot be
   * written (a checkpoint is written beside it, then renamed), a file that holds no id.
   */
  static async open(file: string, isId: (text: string) => boolean = () => true): Promise<Checkpoint> {
    let saved: string | undefined;
    try {
      saved = (await readFile(file, 'utf8')).trim() || undefined;
    } catch (err) {
      if (!isErrnoException(err, 'ENOENT')) {
        throw new RuntimeError('EVLOG_ERR_CHECKPOINT', `cannot read checkpoint ${file}: ${describeSystemError(err)}`, { cause: err });
      }
      const dir = path.dirname(path.resolve(file));
      const dirStats = await stat(dir).catch(() => undefined);
      if (!dirStats?.isDirectory()) {
        throw new RuntimeError('EVLOG_ERR_CHECKPOINT', `cannot write checkpoint ${file}: directory ${dir} does not exist`);
      }
    }
    if (saved !== undefined && !isId(saved)) {
      // JSON quoting shows a binary file's bytes as escapes, not as raw bytes on the terminal.
      const shown = JSON.stringify(saved.length > 40 ? `${saved.slice(0, 40)}…` : saved);
      throw new RuntimeError('EVLOG_ERR_CHECKPOINT', `checkpoint ${file} does not hold a record id (it holds ${shown}); remove it to start afresh`);
    }
    const checkpoint = new Checkpoint(file, saved);
    await checkpoint.#probe();
    return checkpoint;
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

  /** Writes and removes the temporary file a save goes through. */
  async #probe(): Promise<void> {
    const tmp = this.#tmp();
    try {
      await writeFile(tmp, '');
      await unlink(tmp);
    } catch (err) {
      throw new RuntimeError('EVLOG_ERR_CHECKPOINT', `cannot write checkpoint ${this.file}: ${describeSystemError(err)}`, { cause: err });
    }
  }

  #tmp(): string {
    return `${this.file}.${process.pid}.tmp`;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#wanted !== this.#written && this.#wanted !== undefined) {
        const id = this.#wanted;
        const tmp = this.#tmp();
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
