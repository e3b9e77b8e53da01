/**
 * Lines to print from a chunk of NDJSON records: read from the bytes (record-bytes.ts) where the
 * records allow it, else record by record as JSON, with gap records told in their place.
 */
import { isUtf8 } from 'node:buffer';
import type { GapRecord } from '../wire/record.js';
import { isGap, parseRecord } from './parse-record.js';
import { readLines, type Keep, type LineSink } from './record-bytes.js';

/** Lines ready to print, each ended by `\n`: `count` of them, and the id of the last record read. */
export interface PrintedLines {
  bytes: Buffer;
  count: number;
  lastId: string;
}

function taken(sink: LineSink): PrintedLines {
  const lastId = sink.id!.toString('utf8', sink.idStart, sink.idEnd);
  const count = sink.count;
  return { bytes: sink.take(), count, lastId };
}

/**
 * The lines of `chunk`'s records that `keep` keeps, at most `left.max` (counted down). Those before
 * a gap record are yielded before `gap` is told, and the gap before the rest. Records read and none
 * kept are yielded too, with no line: what was read may be committed.
 */
export async function* printedLines(chunk: Buffer, sink: LineSink, left: { max: number }, gap: (rec: GapRecord) => Promise<void>, keep?: Keep): AsyncGenerator<PrintedLines> {
  try {
    yield* linesOf(chunk, sink, left, gap, keep);
  } catch (err) {
    // What was read of the chunk and not yet handed out is dropped: the stream resumes after the
    // last id handed out, and those records come again.
    left.max += sink.count;
    sink.take();
    throw err;
  }
}

async function* linesOf(chunk: Buffer, sink: LineSink, left: { max: number }, gap: (rec: GapRecord) => Promise<void>, keep?: Keep): AsyncGenerator<PrintedLines> {
  // Invalid UTF-8 becomes U+FFFD the text way: such a chunk goes that way record by record.
  const bytes = isUtf8(chunk);
  let pos = 0;
  while (pos < chunk.length && left.max > 0) {
    sink.reserve(chunk.length);
    const before = sink.count;
    if (bytes) pos = readLines(chunk, pos, left.max, sink, keep);
    left.max -= sink.count - before;
    if (pos >= chunk.length || left.max === 0) break;
    // A record the byte reader left to the text way.
    const nl = chunk.indexOf(0x0a, pos);
    const stop = nl === -1 ? chunk.length : nl;
    const text = chunk.toString('utf8', pos, stop);
    pos = stop + 1;
    if (text === '') continue;
    const rec = parseRecord(text);
    if (isGap(rec)) {
      if (sink.read > 0) yield taken(sink);
      await gap(rec);
      continue;
    }
    sink.id = Buffer.from(rec.id);
    sink.idStart = 0;
    sink.idEnd = sink.id.length;
    sink.read++;
    if (keep !== undefined && !keep(rec.line)) continue;
    const line = Buffer.from(`${rec.line}\n`);
    sink.reserve(line.length);
    sink.length += line.copy(sink.buf, sink.length);
    sink.count++;
    left.max--;
  }
  if (sink.read > 0) yield taken(sink);
}
