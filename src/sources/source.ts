/**
 * Where lines come from, as the server sees it: a source opens readers, one per subscriber, each a
 * cursor that hands out batches in order. Ids are the source's own: everyone else checks that a
 * client's `from=` is one with `isId`, then hands it back to `open` as an opaque string.
 */
import type { LineBatch } from './batch.js';

export type { LineBatch } from './batch.js';

/** Where a subscriber starts. */
export type Start =
  | { kind: 'new' }
  | { kind: 'tail'; lines: number }
  | { kind: 'start' }
  | { kind: 'after'; id: string };

export interface SourceReader {
  /** The next lines once at least one is complete (or a gap); undefined once closed. */
  next(): Promise<LineBatch | undefined>;
  /**
   * The id to resume after that gives exactly what this reader has yet to deliver; before the first
   * batch, its starting point. Undefined while the source has nothing to start in.
   */
  resumeId(): Promise<string | undefined>;
  /** How far behind the head of its source this reader is (bytes for a file). */
  readonly lag: number;
  /**
   * Whether next() would only wait for the source to change, and a reader opened after this one's
   * resumeId() would be where it is: it may then be closed until `Source.changed` (see merge/head.ts).
   */
  readonly atRest?: boolean;
  close(): void;
}

/** A figure for `/metrics`, in the Prometheus text format's terms. */
export interface MetricFamily {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  value: number;
  /** How a server with several sources totals it (default: the sum). */
  total?: 'sum' | 'max';
}

export interface Source {
  /** What records and gaps call it (the file's name as the user gave it). */
  readonly name: string;
  /** Whether `id` is one this source could have written. */
  isId(id: string): boolean;
  /** A reader from `start`; an `after` id must have passed `isId`. */
  open(start: Start, options: { maxLineBytes: number }): SourceReader;
  /** Resolves at the source's next change, for a reader closed at rest (see SourceReader.atRest). */
  changed?(): Promise<void>;
  /** What `/healthz` says about the source to a holder of the token. */
  health(): Record<string, unknown>;
  metrics(): MetricFamily[];
  close(): Promise<void>;
}
