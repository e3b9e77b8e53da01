/**
 * Writes a batch's records (NDJSON, SSE or WebSocket NDJSON) straight into bytes, with no string
 * made for the line, its id, its session or its event. The batch is copied once into the escaping
 * module's memory with the parts every record of it shares (the frame's opening, the id's prefix
 * and suffix, the file, the closes), and each record is written there whole by one call
 * (json-escape.ts `writeRecord`): the id's digits, the escaped line, its session and event when it
 * is ASCII text or a JSON line of winston's flat shape, the close. The call leaves the rest of the
 * others to this file: non-ASCII lines (decoded to be judged), JSON lines of other shapes (read by
 * json-scan.ts), events with something escaped. Lines whose record the bytes alone cannot settle
 * (non-ASCII lines that may be events, invalid UTF-8, JSON lines the scan cannot read) go through
 * `recordJson` (wire/), which defines the record; the byte path must give exactly what it gives.
 */
import { isUtf8 } from 'node:buffer';
import { jsonString, recordJson } from '../wire/record.js';
import { NON_ASCII, OTHER_ESCAPES, WHITESPACE, closeRecord, colonOf, escapeLine, flagsOf, lineEnd, loadBatch, memory, quotes, room, writeRecord, type RecordFrame } from './json-escape.js';
import { FIELDS, found, scanJsonLine, UNDECIDED } from './json-scan.js';
import { lease, own, type Lease } from '../buffer-pool.js';

export type RecordEncoding = 'ndjson' | 'sse' | 'sse-batch' | 'ws-ndjson';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
/** `","file":"<name>","line":"` per channel name, its JSON escaped once rather than per record. */
const fileFields = new Map<string, Buffer>();
const MAX_FILE_FIELDS = 4096;

function fileAndLineOpen(file: string): Buffer {
  let field = fileFields.get(file);
  if (!field) {
    // A server of live globs may see names come and go without end: the cache must not grow with them.
    if (fileFields.size >= MAX_FILE_FIELDS) fileFields.clear();
    field = Buffer.from(`","file":${jsonString(file)},"line":"`, 'utf8');
    fileFields.set(file, field);
  }
  return field;
}
const SESSION_OPEN = bytes('","session":"');
const EVENT_OPEN = bytes('","event":"');

/** What stands before a record and after it in each encoding (SSE's event id is the record's). */
const frameEnd = (encoding: RecordEncoding): string => (encoding === 'sse' ? '\n\n' : encoding === 'ws-ndjson' ? '' : '\n');

function frameOf(encoding: RecordEncoding, prefix: string, suffix: string, file: string): RecordFrame {
  const end = frameEnd(encoding);
  return {
    head: encoding === 'sse' ? `id: ${prefix}` : `${encoding === 'sse-batch' ? 'data: ' : ''}{"id":"${prefix}`,
    between: encoding === 'sse' ? `${suffix}\ndata: {"id":"${prefix}` : '',
    afterId: Buffer.concat([bytes(suffix), fileAndLineOpen(file)]),
    close: `"}${end}`,
    closeTruncated: `","truncated":true}${end}`,
  };
}

export class RecordWriter {
  readonly #encoding: RecordEncoding;
  readonly #idPrefix: string;
  readonly #idSuffix: string;
  readonly #file: string;
  readonly #frameEnd: string;
  /** Bytes of the constant parts of a record: room for them is reserved with each. */
  readonly #frameBytes: number;
  /** How the batch decodes: latin1 when it is ASCII. */
  readonly #charset: BufferEncoding;
  /** Where the records start in the module's memory (after the batch), and where they end. */
  readonly #start: number;
  #pos: number;
  #records = 0;

  constructor(encoding: RecordEncoding, idPrefix: string, idSuffix: string, file: string, batch: Buffer, charset: 'latin1' | 'utf8') {
    this.#encoding = encoding;
    this.#file = file;
    this.#idPrefix = idPrefix;
    this.#idSuffix = idSuffix;
    this.#charset = charset;
    this.#frameEnd = frameEnd(encoding);
    const frame = frameOf(encoding, idPrefix, idSuffix, file);
    // Two ids of at most 11 digits, and the 16 bytes each part's copy may write past its end.
    this.#frameBytes = frame.head.length + frame.between.length + frame.afterId.length + frame.closeTruncated.length + 2 * 11 + 5 * 16;
    this.#start = this.#pos = loadBatch(batch, frame);
  }

  /**
   * Adds the record of `buf[start, end)`, the line ending just before file offset `offset` (its id).
   * `line` is the line as text when the caller already made it (to filter), else undefined.
   */
  add(buf: Buffer, start: number, end: number, offset: number, truncated: boolean, line: string | undefined): void {
    // Room for the record: the line escaped (at most six bytes a byte) and the framing. Session and
    // event: a text event's at most the line again, a JSON line's fields are its string contents
    // (escaped line plus them stays within twice the line), escaped ones reserve when they come.
    room(this.#pos, 6 * (end - start) + this.#frameBytes + 64);
    let head = this.#pos;
    // WebSocket messages of several records hold them one a line.
    if (this.#encoding === 'ws-ndjson' && this.#records > 0) memory.bytes[head++] = 0x0a;
    let p = writeRecord(start, end, head, offset, truncated);
    if (p === -1) p = this.#settle(buf, start, end, head, offset, truncated, line);
    this.#pos = p;
    this.#records++;
  }

  /**
   * The record of a line `writeRecord` left to JavaScript, from its escaped line on; or the whole
   * record written from its definition at `head` when the bytes cannot settle it.
   */
  #settle(buf: Buffer, start: number, end: number, head: number, offset: number, truncated: boolean, line: string | undefined): number {
    const n = end - start;
    let p = lineEnd();
    const flags = flagsOf();
    let colon = (flags & WHITESPACE) !== 0 ? -1 : colonOf();
    if ((flags & NON_ASCII) !== 0) {
      // Non-ASCII bytes are the record's only when they decode without replacement.
      if (!isUtf8(buf.subarray(start, end))) p = -1;
      // Whether a non-ASCII text line is an event depends on Unicode whitespace: the text way decides.
      else if (colon !== -1 && buf[start] !== 0x7b) p = -1;
    }
    if (p !== -1 && buf[start] === 0x7b) {
      // The quotes' positions stand for the line's strings only when nothing else is escaped.
      const known = (flags & (NON_ASCII | OTHER_ESCAPES)) === 0 && quotes.count >= 0 ? quotes : undefined;
      colon = -1;
      const kind = scanJsonLine(buf, start, end, known);
      if (kind === UNDECIDED) p = -1;
      else if (kind === FIELDS) p = jsonFields(memory.bytes, p, buf);
    }
    if (p === -1) {
      const id = this.#idPrefix + offset.toString(36) + this.#idSuffix;
      const text = this.#frameOpen(id) + recordJson(id, this.#file, line ?? buf.toString(this.#charset, start, end), truncated) + this.#frameEnd;
      const out = room(head, 3 * text.length + 8);
      return head + out.write(text, head, 'utf8');
    }
    colon -= start;
    if (colon > 0 && colon < n - 1) {
      // An event with something escaped: its halves escaped apart.
      const out = room(p, 6 * n + 64);
      p = put(out, p, SESSION_OPEN);
      p = escapeLine(start, start + colon, p);
      p = put(out, p, EVENT_OPEN);
      p = escapeLine(start + colon + 1, end, p);
    }
    return closeRecord(p, truncated);
  }

  /** The frame's opening as text, for a record written from its definition. */
  #frameOpen(id: string): string {
    switch (this.#encoding) {
      case 'sse':
        return `id: ${id}\ndata: `;
      case 'sse-batch':
        return 'data: ';
      default:
        return '';
    }
  }

  /**
   * The payload, at its exact size; `lastId` is the id of the last record added. Pooled memory
   * when `pooled` (released with the lease), else a buffer of its own.
   */
  finish(lastId: string | undefined, pooled: boolean): Lease {
    if (this.#records === 0) return own(Buffer.alloc(0));
    // One event for the batch: its id comes first but is known only now.
    const head = this.#encoding === 'sse-batch' ? `id: ${lastId}\n` : '';
    const tail = head === '' ? 0 : 1;
    const used = this.#pos - this.#start;
    const length = head.length + used + tail;
    const out = pooled ? lease(length) : own(Buffer.allocUnsafeSlow(length));
    out.buf.write(head, 0, 'latin1');
    memory.bytes.copy(out.buf, head.length, this.#start, this.#pos);
    if (tail) out.buf[length - 1] = 0x0a;
    return out;
  }
}

/** Session and event of a JSON line, as `scanJsonLine` found them: JSON text already, copied. */
function jsonFields(out: Buffer, p: number, buf: Buffer): number {
  p = put(out, p, SESSION_OPEN);
  p = copy(out, p, buf, found.sessionStart, found.sessionEnd);
  p = put(out, p, EVENT_OPEN);
  return copy(out, p, buf, found.eventStart, found.eventEnd);
}

function put(out: Buffer, p: number, constant: Buffer): number {
  for (let i = 0; i < constant.length; i++) out[p++] = constant[i]!;
  return p;
}

function copy(out: Buffer, p: number, from: Buffer, start: number, end: number): number {
  // A call into C++ costs more than a short loop.
  if (end - start > 48) return p + from.copy(out, p, start, end);
  for (let i = start; i < end; i++) out[p++] = from[i]!;
  return p;
}
