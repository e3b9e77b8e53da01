/**
 * Writes a batch's records (NDJSON, SSE or WebSocket NDJSON) straight into bytes, with no string
 * made for the line, its id, its session or its event. Most log lines are plain ASCII: no quote,
 * backslash or control character. Their JSON form is their own bytes in quotes, so a batch of them
 * is copied from the file's buffer natively. Other batches are copied once into the escaping
 * module's memory and each line is escaped there in one call (json-escape.ts), which also says
 * what decides the line's session and event: its first colon, whitespace, non-ASCII bytes, and the
 * positions of its quotes for the JSON scan. The records are written in that same memory. Lines
 * whose record the bytes alone cannot settle (non-ASCII lines that may be events, invalid UTF-8,
 * JSON lines the scan cannot read) go through `recordJson` (wire/), which defines the record; the
 * byte path must give exactly what it gives.
 */
import { isUtf8 } from 'node:buffer';
import { jsonString, recordJson } from '../wire/record.js';
import { NON_ASCII, OTHER_ESCAPES, WHITESPACE, colonOf, escapeLine, flagsOf, loadBatch, memory, nothingToEscape, quotes, room, writeFlatFields } from './json-escape.js';
import { FIELDS, found, scanJsonLine, UNDECIDED } from './json-scan.js';
import { lease, own, type Lease } from '../buffer-pool.js';

export type RecordEncoding = 'ndjson' | 'sse' | 'sse-batch' | 'ws-ndjson';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const ID_OPEN = bytes('{"id":"');
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
const CLOSE = bytes('"}');
const CLOSE_TRUNCATED = bytes('","truncated":true}');
const SSE_ID = bytes('id: ');
const SSE_DATA = bytes('\ndata: ');
const DATA = bytes('data: ');
const COLON = 0x3a;
/** The one whitespace byte a line on the byte path can hold (the others are escaped or non-ASCII). */
const SPACE = 0x20;
/** Digits of an offset in base 36, most significant last; a safe integer has at most 11. */
const digits = new Uint8Array(16);
const BASE36 = bytes('0123456789abcdefghijklmnopqrstuvwxyz');

export class RecordWriter {
  readonly #encoding: RecordEncoding;
  readonly #idPrefix: string;
  readonly #idSuffix: string;
  readonly #prefix: Buffer;
  readonly #suffix: Buffer;
  readonly #file: string;
  /** `","file":"…","line":"`: what stands between a record's id and its line. */
  readonly #lineOpen: Buffer;
  /** How the batch decodes: latin1 when it is ASCII. */
  readonly #charset: BufferEncoding;
  /** Where the records start in the module's memory (after the batch), and where they end. */
  readonly #start: number;
  #pos: number;
  #records = 0;

  /** The batch's lines hold nothing to escape: they are copied without looking at each byte. */
  readonly #copyOnly: boolean;
  /** The next `:` at or after the line being added (Infinity: none), found once for many lines. */
  #nextColon = -1;
  /** The same for the next space: a line with one is a plain line, not an event. */
  #nextSpace = -1;

  constructor(encoding: RecordEncoding, idPrefix: string, idSuffix: string, file: string, batch: Buffer, charset: 'latin1' | 'utf8') {
    this.#encoding = encoding;
    this.#file = file;
    this.#lineOpen = fileAndLineOpen(file);
    this.#idPrefix = idPrefix;
    this.#idSuffix = idSuffix;
    this.#prefix = bytes(idPrefix);
    this.#suffix = bytes(idSuffix);
    this.#charset = charset;
    this.#copyOnly = charset === 'latin1' && nothingToEscape(batch);
    this.#start = this.#pos = loadBatch(this.#copyOnly ? undefined : batch);
  }

  /**
   * Adds the record of `buf[start, end)`, the line ending just before file offset `offset` (its id).
   * `line` is the line as text when the caller already made it (to filter), else undefined.
   */
  add(buf: Buffer, start: number, end: number, offset: number, truncated: boolean, line: string | undefined): void {
    const n = end - start;
    // Room for the record: the line escaped (at most six bytes a byte) and the framing. Session and
    // event: plain ones at most the line again, a JSON line's fields are its string contents
    // (escaped line plus them stays within twice the line), escaped ones reserve when they come.
    let out = room(this.#pos, (this.#copyOnly ? 2 : 6) * n + 2 * (this.#prefix.length + this.#suffix.length) + this.#lineOpen.length + 128);
    let p = this.#frameStart(out, this.#pos, offset);
    const head = p;
    p = put(out, p, ID_OPEN);
    p = putId(out, p, this.#prefix, offset, this.#suffix);
    p = put(out, p, this.#lineOpen);
    const lineAt = p;
    let colon: number;
    if (this.#copyOnly) {
      p = copy(out, p, buf, start, end);
      colon = this.#hasSpace(buf, start, end) ? -1 : this.#colonIn(buf, start, end);
    } else {
      p = escapeLine(start, end, p);
      const flags = flagsOf();
      colon = (flags & WHITESPACE) !== 0 ? -1 : colonOf();
      if ((flags & NON_ASCII) !== 0) {
        // Non-ASCII bytes are the record's only when they decode without replacement.
        if (!isUtf8(buf.subarray(start, end))) p = -1;
        // Whether a non-ASCII text line is an event depends on Unicode whitespace: the text way decides.
        else if (colon !== -1 && buf[start] !== 0x7b) p = -1;
      }
      if (p !== -1 && buf[start] === 0x7b) {
        // The quotes' positions stand for the line's strings only when nothing else is escaped.
        const known = (flags & (NON_ASCII | OTHER_ESCAPES)) === 0 && quotes.count >= 0 ? quotes : undefined;
        const flat = known ? writeFlatFields(start, end, p) : -1;
        colon = -1;
        if (flat !== -1) p = flat;
        else {
          const kind = scanJsonLine(buf, start, end, known);
          if (kind === UNDECIDED) p = -1;
          else if (kind === FIELDS) p = this.#jsonFields(out, p, buf);
        }
      }
    }
    if (p === -1) {
      const text = recordJson(this.#idPrefix + offset.toString(36) + this.#idSuffix, this.#file, line ?? buf.toString(this.#charset, start, end), truncated);
      out = room(head, 3 * text.length + 8);
      p = head + out.write(text, head, 'utf8');
    } else {
      colon -= start;
      if (colon > 0 && colon < n - 1) {
        if (p - lineAt === n) {
          // Nothing was escaped: session and event are the line's two halves, already in `out`.
          p = put(out, p, SESSION_OPEN);
          out.copyWithin(p, lineAt, lineAt + colon);
          p += colon;
          p = put(out, p, EVENT_OPEN);
          out.copyWithin(p, lineAt + colon + 1, lineAt + n);
          p += n - colon - 1;
        } else {
          // Rare: an event with something escaped.
          out = room(p, 6 * n + 64);
          p = put(out, p, SESSION_OPEN);
          p = escapeLine(start, start + colon, p);
          p = put(out, p, EVENT_OPEN);
          p = escapeLine(start + colon + 1, end, p);
        }
      }
      p = put(out, p, truncated ? CLOSE_TRUNCATED : CLOSE);
    }
    this.#pos = this.#frameEnd(out, p);
    this.#records++;
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

  /** Session and event of a JSON line, as `scanJsonLine` found them: JSON text already, copied. */
  #jsonFields(out: Buffer, p: number, buf: Buffer): number {
    p = put(out, p, SESSION_OPEN);
    p = copy(out, p, buf, found.sessionStart, found.sessionEnd);
    p = put(out, p, EVENT_OPEN);
    return copy(out, p, buf, found.eventStart, found.eventEnd);
  }

  /** The first `:` in `buf[start, end)`, or -1; lines come in order, so each search serves many. */
  #colonIn(buf: Buffer, start: number, end: number): number {
    if (this.#nextColon < start) {
      const at = buf.indexOf(COLON, start);
      this.#nextColon = at === -1 ? Infinity : at;
    }
    return this.#nextColon < end ? this.#nextColon : -1;
  }

  /** Whether `buf[start, end)` holds a space; searched like `#colonIn`. */
  #hasSpace(buf: Buffer, start: number, end: number): boolean {
    if (this.#nextSpace < start) {
      const at = buf.indexOf(SPACE, start);
      this.#nextSpace = at === -1 ? Infinity : at;
    }
    return this.#nextSpace < end;
  }

  #frameStart(out: Buffer, p: number, offset: number): number {
    switch (this.#encoding) {
      case 'ws-ndjson':
        if (this.#records > 0) out[p++] = 0x0a;
        return p;
      case 'sse':
        p = put(out, p, SSE_ID);
        p = putId(out, p, this.#prefix, offset, this.#suffix);
        return put(out, p, SSE_DATA);
      case 'sse-batch':
        return put(out, p, DATA);
      default:
        return p;
    }
  }

  #frameEnd(out: Buffer, p: number): number {
    if (this.#encoding === 'sse') out[p++] = 0x0a;
    if (this.#encoding !== 'ws-ndjson') out[p++] = 0x0a;
    return p;
  }
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

/** The id prefix, the offset in base 36 as `Number#toString(36)` spells it, then the suffix. */
function putId(out: Buffer, p: number, prefix: Buffer, offset: number, suffix: Buffer): number {
  p = put(out, p, prefix);
  let n = 0;
  do {
    const q = Math.floor(offset / 36);
    digits[n++] = BASE36[offset - q * 36]!;
    offset = q;
  } while (offset > 0);
  while (n > 0) out[p++] = digits[--n]!;
  return put(out, p, suffix);
}
