/**
 * Turns a batch of lines into one payload for one socket write: raw text, NDJSON records, SSE
 * events, or a WebSocket message. Records are written as bytes (record-writer.ts), not by
 * stringifying an object per line, and plain text with nothing to change is passed through
 * without a copy.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { concatLeased, own, type Lease } from '../buffer-pool.js';
import { gapJson } from '../wire/record.js';
import { RecordWriter } from './record-writer.js';
import { encodeRecords } from './encode-records.js';
import type { LineBatch } from '../sources/batch.js';

/**
 * `sse-batch` puts a whole batch in one SSE event (one `data:` line per record, `id:` of the last
 * record): browsers pay tens of microseconds to dispatch each event, so one per record caps an
 * EventSource near 15k records/s with the page doing nothing else. Resuming after the id is as
 * exact as ever.
 */
export type Encoding = 'text' | 'ndjson' | 'sse' | 'sse-batch' | 'ws-text' | 'ws-ndjson';

export interface EncodeOptions {
  encoding: Encoding;
  maxLineBytes: number;
  match?: RegExp;
  /** Keep the lines `match` rejects. */
  invert?: boolean;
}

export interface Encoded {
  /** Empty when every line was filtered out. Bytes, so that many sockets can share one encoding. */
  payload: Buffer;
  /** Lines looked at (before filtering) and lines put in the payload. */
  read: number;
  sent: number;
  truncated: number;
  /** Id of the last record in the payload. */
  lastId: string | undefined;
  /** Where in the batch's `buf` this payload stopped: its length, unless a slow filter ran out of time. */
  end: number;
  /** The payload is the batch's own memory: release the batch only once the payload is flushed. */
  borrowed: boolean;
  /** Hands back the payload's memory (the batch's, or pooled); call once the payload is flushed. */
  release: () => void;
}

const NEWLINE = Buffer.from('\n');

function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * How long one filtered encoding may hold the thread. A filter is linear in the line (see
 * safe-regex.ts), yet a costly one over a whole read (256 KB of short lines) could still take tens of
 * milliseconds: the encoding then stops and the pump resumes it from `end` on a later turn.
 */
const FILTER_SLICE_MS = 4;

/**
 * Bytes of a line a server-side filter looks at. The linear engine's cost grows with pattern length
 * times line length (about 10 ms per kilobyte for the longest, costliest patterns), and one line
 * cannot be interrupted: this bounds the longest hold of the thread to about 0.2 s.
 */
export const MATCH_PREFIX_BYTES = 16 * 1024;

/** Pattern characters × line bytes tested between two looks at the clock: about a millisecond at worst. */
const WORK_BETWEEN_CHECKS = 64 * 1024;

/**
 * `pooled`: the payload is for one client only, so its memory may come from the payload pool and
 * go back to it after the write (`release`). `from`: the offset in `buf` to start at (a line start).
 */
export function encodeBatch(batch: LineBatch, options: EncodeOptions, pooled = false, from = 0): Encoded {
  if (batch.gap) return encodeGap(batch, batch.gap, options.encoding);
  if (batch.records) return encodeRecords(batch.records, options, keepLine(options));
  const { buf, single } = batch;
  const { encoding, maxLineBytes, match } = options;
  const keep = !options.invert;
  const isText = encoding === 'text' || encoding === 'ws-text';

  // Fast path: raw lines with no CR to drop, none too long, no filter: the bytes are the payload.
  if (isText && !single && !match && from === 0 && buf.length <= maxLineBytes && buf.indexOf(0x0d) === -1) {
    const lines = countLines(buf);
    return {
      payload: encoding === 'text' ? buf : wsText(buf.subarray(0, buf.length - 1)),
      read: lines,
      sent: lines,
      truncated: 0,
      lastId: batch.idPrefix + (batch.base + buf.length).toString(36) + batch.idSuffix,
      end: buf.length,
      borrowed: true,
      release: batch.release,
    };
  }

  // ASCII decodes identically and faster as latin1.
  const charset = isAscii(buf) ? 'latin1' : 'utf8';
  const records = isText ? undefined : new RecordWriter(encoding, batch.idPrefix, batch.idSuffix, batch.file, buf, charset);
  const textParts: Buffer[] = [];
  let read = 0;
  let sent = 0;
  let truncatedCount = 0;
  let lastOffset = 0;
  let stop = buf.length;
  const deadline = match ? performance.now() + FILTER_SLICE_MS : Infinity;
  const weight = match ? match.source.length : 0;
  let work = 0;

  for (let pos = from; pos < buf.length || (single && read === 0); ) {
    if (match && ((read & 31) === 31 || work > WORK_BETWEEN_CHECKS)) {
      work = 0;
      if (performance.now() > deadline) {
        stop = pos;
        break;
      }
    }
    const lineStart = pos;
    const nl = single ? buf.length : buf.indexOf(0x0a, pos);
    pos = nl + 1;
    // A record's id is the offset just after its line.
    const offset = single ? single.end : batch.base + pos;
    let end = nl > lineStart && buf[nl - 1] === 0x0d ? nl - 1 : nl;
    let truncated = single?.truncated ?? false;
    if (end - lineStart > maxLineBytes) {
      end = lineStart + maxLineBytes;
      truncated = true;
    }
    read++;
    let line: string | undefined;
    if (match) {
      const tested = Math.min(end, lineStart + MATCH_PREFIX_BYTES);
      work += (tested - lineStart) * weight;
      const text = buf.toString(charset, lineStart, tested);
      match.lastIndex = 0;
      if (match.test(text) !== keep) continue;
      // The decoded line is reused for the record only when it is the whole line.
      if (tested === end) line = text;
    }
    sent++;
    if (truncated) truncatedCount++;
    lastOffset = offset;
    if (records) {
      records.add(buf, lineStart, end, offset, truncated, line);
    } else if (encoding === 'text') {
      textParts.push(buf.subarray(lineStart, end), NEWLINE);
    } else {
      if (textParts.length > 0) textParts.push(NEWLINE);
      textParts.push(buf.subarray(lineStart, end));
    }
  }
  const lastId = sent > 0 ? batch.idPrefix + lastOffset.toString(36) + batch.idSuffix : undefined;
  let out: Lease;
  if (records) out = records.finish(lastId, pooled);
  else if (encoding === 'text') out = pooled ? concatLeased(textParts) : own(Buffer.concat(textParts));
  else out = own(wsText(Buffer.concat(textParts)));
  return { payload: out.buf, read, sent, truncated: truncatedCount, lastId, end: stop, borrowed: false, release: out.release };
}

/** The client's filter on a line given as text, looking at as much of it as the byte path does. */
function keepLine({ match, invert }: EncodeOptions): (line: string) => boolean {
  if (!match) return () => true;
  return (line) => {
    match.lastIndex = 0;
    return match.test(line.length > MATCH_PREFIX_BYTES ? line.slice(0, MATCH_PREFIX_BYTES) : line) !== (invert === true);
  };
}

/**
 * A gap record (a record with no `line`, see the contract): in NDJSON and WebSocket messages as is,
 * in SSE as an `event: gap`, so that `onmessage` handlers never mistake it for a line. Raw text
 * cannot carry it; `/metrics` counts it.
 */
function encodeGap(batch: LineBatch, gap: NonNullable<LineBatch['gap']>, encoding: Encoding): Encoded {
  const id = batch.idPrefix + batch.base.toString(36) + batch.idSuffix;
  const json = gapJson(id, gap.file, gap);
  let text = '';
  if (encoding === 'ndjson') text = `${json}\n`;
  else if (encoding === 'ws-ndjson') text = json;
  else if (encoding === 'sse' || encoding === 'sse-batch') text = `id: ${id}\nevent: gap\ndata: ${json}\n\n`;
  const payload = Buffer.from(text);
  return { payload, read: 0, sent: 0, truncated: 0, lastId: text === '' ? undefined : id, end: batch.buf.length, borrowed: false, release: () => undefined };
}

/** A text frame must be valid UTF-8 or the peer closes with 1007; invalid bytes get U+FFFD, as in NDJSON. */
function wsText(bytes: Buffer): Buffer {
  return isUtf8(bytes) ? bytes : Buffer.from(bytes.toString('utf8'));
}

/**
 * `encodeBatch`, done once per shared batch and options: every client at the live edge with the
 * same request then writes the very same bytes.
 */
export function encodeShared(batch: LineBatch, options: EncodeOptions, from = 0): Encoded {
  if (!batch.memo) return encodeBatch(batch, options, true, from);
  const { encoding, maxLineBytes, match, invert } = options;
  // Readers at the same place in one file may stand elsewhere in the files drained beside it.
  const ids = `${batch.idPrefix} ${batch.idSuffix} ${batch.file}`;
  const key = match
    ? `encode ${encoding} ${maxLineBytes} ${ids} ${from} ${invert === true} ${match.flags} ${match.source}`
    : `encode ${encoding} ${maxLineBytes} ${ids}`;
  let encoded = batch.memo.get(key) as Encoded | undefined;
  if (!encoded) {
    encoded = encodeBatch(batch, options, false, from);
    batch.memo.set(key, encoded);
  }
  return encoded;
}
