/**
 * How a batch read from a file becomes stream entries: one `XADD` per line (or one for a gap), each
 * entry carrying the evlog id of the position just after it. That id is what makes the mirror
 * exact: the stream's last entry says how far the file was mirrored, so a restart resumes right
 * after it (mirror.ts).
 */
import { parseEventLine } from '../wire/record.js';
import type { LineBatch } from '../sources/batch.js';

/** The fields of one entry, as `XADD` takes them after the id. */
export type EntryFields = string[];

export interface EntryOptions {
  /** The record's `file` (the channel name). */
  file: string;
  maxLineBytes: number;
}

/** The entries of `batch`, in file order; a gap is one entry with `gap` (its reason) and no `line`. */
export function batchEntries(batch: LineBatch, opts: EntryOptions): EntryFields[] {
  const { idPrefix, idSuffix, base, buf, single } = batch;
  if (batch.gap) {
    const fields = ['id', idPrefix + base.toString(36) + idSuffix, 'file', opts.file, 'gap', batch.gap.reason];
    if (batch.gap.bytes !== null) fields.push('gap_bytes', String(batch.gap.bytes));
    return [fields];
  }
  const out: EntryFields[] = [];
  for (let pos = 0; pos < buf.length || (single && out.length === 0); ) {
    const start = pos;
    const nl = single ? buf.length : buf.indexOf(0x0a, pos);
    pos = nl + 1;
    const offset = single ? single.end : base + pos;
    let end = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
    let truncated = single?.truncated ?? false;
    if (end - start > opts.maxLineBytes) {
      end = start + opts.maxLineBytes;
      truncated = true;
    }
    const line = buf.toString('utf8', start, end);
    const fields = ['line', line, 'id', idPrefix + offset.toString(36) + idSuffix, 'file', opts.file];
    const event = parseEventLine(line);
    if (event) fields.push('session', event.session, 'event', event.event);
    if (truncated) fields.push('truncated', '1');
    out.push(fields);
  }
  return out;
}

/** The `XADD` of one entry, trimming the stream to about `maxlen` entries as it goes. */
export function xaddArgs(key: string, maxlen: string, fields: EntryFields): string[] {
  return ['XADD', key, 'MAXLEN', '~', maxlen, '*', ...fields];
}
