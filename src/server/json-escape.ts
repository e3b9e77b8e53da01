/**
 * A line's bytes as the inside of a JSON string, written straight into the record: only the bytes
 * `JSON.stringify` escapes are changed (`"`, `\` and controls), everything else is copied. UTF-8
 * bytes are copied as they are, which is what encoding the decoded line gives when the bytes are
 * valid UTF-8; the caller sends lines of an invalid batch the text way instead.
 */
import { viewOf } from '../byte-view.js';

/** For each byte: 0 copied verbatim, else the escape's second character, or 0x75 (`u`) for `\u00XX`. */
const ESCAPE = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) ESCAPE[b] = 0x75;
ESCAPE[0x08] = 0x62; // \b
ESCAPE[0x09] = 0x74; // \t
ESCAPE[0x0a] = 0x6e; // \n
ESCAPE[0x0c] = 0x66; // \f
ESCAPE[0x0d] = 0x72; // \r
ESCAPE[0x22] = 0x22;
ESCAPE[0x5c] = 0x5c;
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** What `escapeInto` saw of the line: its first `:` (-1 if none) and whether it holds these bytes. */
export const seen = { colon: -1, whitespace: false, nonAscii: false };

/** Whitespace bytes of ASCII as a regex's `\s` sees them. */
const WHITESPACE = new Uint8Array(256);
for (const b of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]) WHITESPACE[b] = 1;

/**
 * Writes `from[start, end)` escaped into `out` at `p` and returns the new end. `out` must have
 * room for six bytes per input byte in the worst case; the caller reserves it.
 */
export function escapeInto(out: Buffer, p: number, from: Buffer, start: number, end: number): number {
  let colon = -1;
  let whitespace = false;
  let nonAscii = false;
  for (let i = start; i < end; i++) {
    const b = from[i]!;
    const e = ESCAPE[b]!;
    if (e === 0) {
      out[p++] = b;
      if (b === 0x3a) {
        if (colon === -1) colon = i;
      } else if (b === 0x20) whitespace = true;
      else if (b > 0x7f) nonAscii = true;
      continue;
    }
    if (WHITESPACE[b] === 1) whitespace = true;
    out[p++] = 0x5c;
    out[p++] = e;
    if (e === 0x75) {
      out[p++] = 0x30;
      out[p++] = 0x30;
      out[p++] = HEX[b >> 4]!;
      out[p++] = HEX[b & 15]!;
    }
  }
  seen.colon = colon;
  seen.whitespace = whitespace;
  seen.nonAscii = nonAscii;
  return p;
}

/**
 * Where `escapeQuotes` found the line's quotes, in order: the JSON scan then skips each string of
 * the line in one step instead of a byte at a time.
 */
export const quotes = { at: new Int32Array(1024), count: 0 };

/**
 * `escapeInto` for a line known to hold no backslash, control or non-ASCII byte (the batch was
 * searched for them natively): only quotes change. A word of four bytes without a quote is copied
 * in one step, which nearly halves the cost of a long payload; a word with one goes byte by byte.
 */
export function escapeQuotes(out: Buffer, p: number, from: Buffer, start: number, end: number): number {
  if (quotes.at.length < end - start) quotes.at = new Int32Array(end - start);
  const at = quotes.at;
  const src = viewOf(from);
  const dst = viewOf(out);
  let n = 0;
  let i = start;
  // Four bytes at a time while they hold no quote (a word with a zero byte after XOR with quotes).
  while (i + 4 <= end) {
    const w = src.getUint32(i, true);
    const x = w ^ 0x22222222;
    if (((x - 0x01010101) & ~x & 0x80808080) === 0) {
      dst.setUint32(p, w, true);
      p += 4;
      i += 4;
      continue;
    }
    for (const stop = i + 4; i < stop; i++) {
      const b = from[i]!;
      if (b === 0x22) {
        out[p++] = 0x5c;
        at[n++] = i;
      }
      out[p++] = b;
    }
  }
  for (; i < end; i++) {
    const b = from[i]!;
    if (b === 0x22) {
      out[p++] = 0x5c;
      at[n++] = i;
    }
    out[p++] = b;
  }
  quotes.count = n;
  return p;
}

/** The bytes a JSON string escapes besides quotes and the newlines between lines. */
const ESCAPED = [0x5c, ...Array.from({ length: 0x20 }, (_, b) => b).filter((b) => b !== 0x0a)];
export const NONE = 0;
export const QUOTES = 1;
export const ANY = 2;

/**
 * What the lines of an ASCII `batch` need escaped (see RecordWriter's `#escapes`). A few dozen native scans of
 * the batch cost less than one scan in JavaScript, which on these machines takes nanoseconds per
 * byte.
 */
export function escapesIn(batch: Buffer): number {
  // Below a few kilobytes the fixed cost of the scans is more than scanning each line.
  if (batch.length < 4096) return ANY;
  for (const byte of ESCAPED) if (batch.indexOf(byte) !== -1) return ANY;
  return batch.indexOf(0x22) === -1 ? NONE : QUOTES;
}
