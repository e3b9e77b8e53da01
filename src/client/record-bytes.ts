/**
 * The lines of NDJSON records, read from the received bytes for a listener that only prints them:
 * each record's `line` is unescaped straight from the record into an output buffer, with no string
 * made for the record, nor for its line unless a filter tests it. Only records of the shape the server writes are read here,
 * `{"id":"…","file":"…","line":"…","session":"…","event":"…","truncated":true}` with `file`,
 * session and event, and truncated optional, and only where the bytes are valid UTF-8 (the text
 * way would put U+FFFD in place of invalid ones). The reader stops before anything else (a gap
 * record, an escape it does not decode, something that may not be JSON at all) and the caller
 * parses that one record as JSON, the definition these bytes must agree with.
 */
import { viewOf } from '../byte-view.js';

const ID = Buffer.from('{"id":"', 'latin1');
const FILE = Buffer.from('","file":"', 'latin1');
const LINE = Buffer.from('","line":"', 'latin1');
const SESSION = Buffer.from('","session":"', 'latin1');
const EVENT = Buffer.from('","event":"', 'latin1');
const TRUNCATED = Buffer.from(',"truncated":true}', 'latin1');
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** For each byte after a backslash: what the escape stands for, 0x100 for `\u`, -1 when invalid. */
const UNESCAPE = new Int16Array(256).fill(-1);
for (const [c, b] of [['"', 0x22], ['\\', 0x5c], ['/', 0x2f], ['b', 0x08], ['f', 0x0c], ['n', 0x0a], ['r', 0x0d], ['t', 0x09]] as const) {
  UNESCAPE[c.charCodeAt(0)] = b;
}
UNESCAPE[0x75] = 0x100;

/** 1 for a byte that stands for itself inside a JSON string: not a quote, backslash or control. */
const PLAIN = new Uint8Array(256).fill(1, 0x20);
PLAIN[0x22] = 0;
PLAIN[0x5c] = 0;

/** Hex digit values, -1 for anything else. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = HEX['0123456789ABCDEF'.charCodeAt(i)] = i;

/** Output memory is taken a slab at a time: one allocation serves many chunks' lines. */
const SLAB = 1024 * 1024;

/**
 * Lines to print, each ended by `\n`, and how many (`count`) of the records read (`read`); the id
 * of the last record read is `id[idStart, idEnd)`.
 */
export class LineSink {
  buf = Buffer.allocUnsafe(0);
  length = 0;
  count = 0;
  read = 0;
  id: Buffer | undefined;
  idStart = 0;
  idEnd = 0;

  /** Room for `n` more bytes, keeping those written. */
  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.length + n, SLAB));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }

  /** The lines written so far, and a fresh start: the bytes handed out are never written again. */
  take(): Buffer {
    const bytes = this.buf.subarray(0, this.length);
    this.buf = this.buf.subarray(this.length);
    this.length = 0;
    this.count = 0;
    this.read = 0;
    return bytes;
  }
}

function startsWith(buf: Buffer, at: number, word: Buffer): boolean {
  if (at + word.length > buf.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[at + i] !== word[i]) return false;
  return true;
}

/** The value of the `\uXXXX` escape whose `u` is at `at`, or -1. */
function hex4(buf: Buffer, at: number): number {
  if (at + 4 >= buf.length) return -1;
  const a = HEX[buf[at + 1]!]!;
  const b = HEX[buf[at + 2]!]!;
  const c = HEX[buf[at + 3]!]!;
  const d = HEX[buf[at + 4]!]!;
  return (a | b | c | d) < 0 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
}

/** From just after a string's opening quote: the index of its closing quote, or -1 if it is not valid JSON. */
function skipString(buf: Buffer, i: number): number {
  const end = buf.length;
  for (; i < end; i++) {
    const b = buf[i]!;
    if (b === QUOTE) return i;
    if (b < 0x20) return -1;
    if (b === BACKSLASH) {
      const e = UNESCAPE[buf[i + 1] ?? 0]!;
      if (e === -1 || (e === 0x100 && hex4(buf, i + 1) === -1)) return -1;
      i += e === 0x100 ? 5 : 1;
    }
  }
  return -1;
}

/**
 * From just after the line's opening quote: the line unescaped into `sink` (room reserved by the
 * caller), and the index of its closing quote; -1 when the string is not valid JSON or holds an
 * escape of a surrogate, which only the text way decodes as JSON.parse does.
 */
function unescapeLine(buf: Buffer, i: number, sink: LineSink): number {
  const out = sink.buf;
  const src = viewOf(buf);
  const dst = viewOf(out);
  const end = buf.length;
  let o = sink.length;
  for (; i < end; i++) {
    // Four bytes at a time while none is a quote, a backslash or a control: a long line costs a
    // fraction of a byte-by-byte pass (each test sets a word's top bits where a byte is below
    // 0x20, or zero once XORed with a quote or a backslash).
    while (i + 4 <= end) {
      const w = src.getUint32(i, true);
      const q = w ^ 0x22222222;
      const e = w ^ 0x5c5c5c5c;
      if ((((w - 0x20202020) & ~w) | ((q - 0x01010101) & ~q) | ((e - 0x01010101) & ~e)) & 0x80808080) break;
      dst.setUint32(o, w, true);
      o += 4;
      i += 4;
    }
    if (i >= end) break;
    const b = buf[i]!;
    // One look-up for the common byte, copied as it is.
    if (PLAIN[b] === 1) {
      out[o++] = b;
      continue;
    }
    if (b === QUOTE) {
      sink.length = o;
      return i;
    }
    if (b === BACKSLASH) {
      let c = UNESCAPE[buf[i + 1] ?? 0]!;
      if (c === -1) return -1;
      if (c === 0x100) {
        c = hex4(buf, i + 1);
        if (c === -1 || (c >= 0xd800 && c <= 0xdfff)) return -1;
        i += 4;
        // An escape is six bytes and its character at most three: the line still fits its record.
        if (c >= 0x800) {
          out[o++] = 0xe0 | (c >> 12);
          out[o++] = 0x80 | ((c >> 6) & 0x3f);
          out[o++] = 0x80 | (c & 0x3f);
        } else if (c >= 0x80) {
          out[o++] = 0xc0 | (c >> 6);
          out[o++] = 0x80 | (c & 0x3f);
        } else out[o++] = c;
      } else out[o++] = c;
      i++;
    } else if (b < 0x20) return -1;
    else out[o++] = b;
  }
  return -1;
}

/** Which lines to print, when not all: a line filter, given the line as text. */
export type Keep = ((line: string) => boolean) | undefined;

/**
 * Reads records of `buf` (valid UTF-8) from `pos`, a line's start, into `sink`, until `max` lines
 * are kept; returns where it stopped: `buf.length`, or the start of a record it leaves to the caller.
 * Lines are written from `sink.length` on: the caller reserves `buf.length` bytes, which is room
 * for all of them, each being shorter than its record.
 */
export function readLines(buf: Buffer, pos: number, max: number, sink: LineSink, keep?: Keep): number {
  const end = buf.length;
  let kept = 0;
  while (pos < end && kept < max) {
    if (buf[pos] === NEWLINE) {
      pos++;
      continue;
    }
    if (!startsWith(buf, pos, ID)) return pos;
    const idStart = pos + ID.length;
    let i = idStart;
    // Ids are tokens: one with anything to escape is left to the text way.
    while (i < end && buf[i] !== QUOTE && buf[i] !== BACKSLASH && buf[i]! >= 0x20) i++;
    if (buf[i] !== QUOTE) return pos;
    const idEnd = i;
    if (startsWith(buf, i, FILE)) {
      i = skipString(buf, i + FILE.length);
      if (i === -1) return pos;
    }
    if (!startsWith(buf, i, LINE)) return pos;
    const lineStart = sink.length;
    i = unescapeLine(buf, i + LINE.length, sink);
    if (i === -1) return pos;
    if (startsWith(buf, i, SESSION)) {
      i = skipString(buf, i + SESSION.length);
      if (i === -1 || !startsWith(buf, i, EVENT)) return (sink.length = lineStart), pos;
      i = skipString(buf, i + EVENT.length);
      if (i === -1) return (sink.length = lineStart), pos;
    }
    // At the closing quote of the last string: `"}` or `","truncated":true}`, then the record's end.
    i++;
    if (buf[i] === 0x7d) i++;
    else if (startsWith(buf, i, TRUNCATED)) i += TRUNCATED.length;
    else return (sink.length = lineStart), pos;
    if (i < end && buf[i] !== NEWLINE) return (sink.length = lineStart), pos;
    sink.id = buf;
    sink.idStart = idStart;
    sink.idEnd = idEnd;
    sink.read++;
    pos = i + 1;
    // The unescaped bytes are valid UTF-8 (no surrogate escape was taken): the line JSON.parse gives.
    if (keep !== undefined && !keep(sink.buf.toString('utf8', lineStart, sink.length))) {
      sink.length = lineStart;
      continue;
    }
    sink.buf[sink.length++] = NEWLINE;
    sink.count++;
    kept++;
  }
  return Math.min(pos, end);
}
