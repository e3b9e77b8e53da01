/** A followed file as a source: the follower is shared, each subscriber gets its own reader. */
import type { LineBatch, MetricFamily, Source, SourceReader, Start } from '../source.js';
import { decodeCursor } from './cursor.js';
import { Follower } from './follower.js';
import { LineReader, type StartAt } from './reader.js';

export interface FileSourceOptions {
  pollMs: number;
  onWarning: (message: string) => void;
}

export class FileSource implements Source {
  readonly follower: Follower;
  /** Open readers, to tell how far behind the slowest is and whether all have read the file out. */
  readonly #readers = new Set<LineReader>();

  private constructor(follower: Follower) {
    this.follower = follower;
  }

  /** Fails (a directory, no permission) before anything is served; a missing file is waited for. */
  static async open(file: string, options: FileSourceOptions): Promise<FileSource> {
    const follower = await Follower.start(file, { pollMs: options.pollMs, name: file });
    follower.on('warning', (message) => options.onWarning(message));
    return new FileSource(follower);
  }

  get name(): string {
    return this.follower.name;
  }

  isId(id: string): boolean {
    return decodeCursor(id) !== undefined;
  }

  open(start: Start, options: { maxLineBytes: number }): SourceReader {
    const reader = new LineReader(this.follower, toStartAt(start), options);
    this.#readers.add(reader);
    return new FileReader(reader, this.#readers);
  }

  /** Resolves at the file's next change (an append, a rotation, a truncation). */
  changed(): Promise<void> {
    return this.follower.changed();
  }

  /** Bytes the slowest reader is behind the end of the file (0 with no reader). */
  get lag(): number {
    let max = 0;
    for (const reader of this.#readers) max = Math.max(max, reader.lag);
    return max;
  }

  /**
   * Whether the file, gone from its path, is read out: no rotated file of it still drained, nothing
   * written to it for `quietMs` (the rotation drain window: a writer may still hold it open), and
   * every reader at its end.
   */
  finished(quietMs: number): boolean {
    const { current } = this.follower;
    if (this.follower.draining > 0) return false;
    if (current && !current.isClosed && performance.now() - current.lastGrowth < quietMs) return false;
    // A reader yet to start in the file has all of it (or its end) still to read.
    for (const reader of this.#readers) if (reader.lag > 0 || (!reader.begun && current)) return false;
    return true;
  }

  health(): Record<string, unknown> {
    const { file, current } = this.follower;
    return {
      file,
      exists: current !== undefined,
      size: current?.size ?? 0,
      identity: current ? { dev: current.dev, ino: current.ino } : null,
    };
  }

  metrics(): MetricFamily[] {
    const f = this.follower;
    return [
      { name: 'evlog_file_bytes_read_total', type: 'counter', help: 'Bytes read from the file (shared reads counted once).', value: f.bytesRead },
      { name: 'evlog_file_size_bytes', type: 'gauge', help: 'Size of the followed file.', value: f.current?.size ?? 0 },
      { name: 'evlog_rotations_total', type: 'counter', help: 'Times the file was replaced at its path.', value: f.rotations },
      { name: 'evlog_truncations_total', type: 'counter', help: 'Times the file was found truncated (copy-truncate), also when it had grown again.', value: f.truncations },
      {
        name: 'evlog_gaps_total',
        type: 'counter',
        help: 'Gaps reported to clients: places a stream could not resume exactly (a rotated file gone, unread bytes truncated, an id beyond its file).',
        value: f.gaps,
      },
      { name: 'evlog_file_lag_bytes', type: 'gauge', help: 'Bytes the slowest client reading the file is behind its end.', value: this.lag, total: 'max' },
    ];
  }

  close(): Promise<void> {
    return this.follower.close();
  }
}

function toStartAt(start: Start): StartAt {
  if (start.kind !== 'after') return start;
  const cursor = decodeCursor(start.id);
  // isId let the id in; anything else is a caller's bug, not a client's.
  if (!cursor) throw new TypeError(`not an id of this file: ${start.id}`);
  return { kind: 'after', cursor };
}

/**
 * A subscriber's reader as the server sees it. A class, not an object literal with a getter: a
 * server of 10,000 files holds one per file for its merged stream, and a literal with a getter
 * takes several times the memory.
 */
class FileReader implements SourceReader {
  readonly #reader: LineReader;
  readonly #readers: Set<LineReader>;

  constructor(reader: LineReader, readers: Set<LineReader>) {
    this.#reader = reader;
    this.#readers = readers;
  }

  get lag(): number {
    return this.#reader.lag;
  }

  get atRest(): boolean {
    return this.#reader.atRest;
  }

  next(): Promise<LineBatch | undefined> {
    return this.#reader.next();
  }

  resumeId(): Promise<string | undefined> {
    return this.#reader.resumeId();
  }

  close(): void {
    this.#readers.delete(this.#reader);
    this.#reader.close();
  }
}
