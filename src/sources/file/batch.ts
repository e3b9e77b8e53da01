/** Where a file reader starts, and how it reads. */
import type { Start } from '../source.js';
import type { Cursor } from './cursor.js';

export type { LineBatch } from '../batch.js';

/** A source's start, with the id decoded: only the file source reads its ids. */
export type StartAt = Exclude<Start, { kind: 'after' }> | { kind: 'after'; cursor: Cursor };

export interface ReaderOptions {
  maxLineBytes: number;
  /** Bytes per read when lines are short; a longer line is read up to its limit in one go. */
  readSize?: number;
}
