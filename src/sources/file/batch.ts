/** Where a file reader starts, and how it reads. */
import type { Cursor } from './cursor.js';

export type { LineBatch } from '../batch.js';

export type StartAt =
  | { kind: 'new' }
  | { kind: 'tail'; lines: number }
  | { kind: 'start' }
  | { kind: 'after'; cursor: Cursor };

export interface ReaderOptions {
  maxLineBytes: number;
  /** Bytes per read when lines are short; a longer line is read up to its limit in one go. */
  readSize?: number;
}
