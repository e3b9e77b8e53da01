/**
 * Session and event of a JSON object line (winston's JSON format, pino, bunyan) read from its bytes
 * in one pass, without `JSON.parse` and without a string for the line. The scan validates the whole
 * line as JSON (an invalid one is a text line to the definition) and keeps the last top-level
 * `session`, `event` and `message` (JSON.parse keeps the last of duplicate keys). It settles only
 * what it can settle from the bytes: a key or a field value with an escape or non-ASCII bytes, or
 * nesting deeper than it follows makes it answer UNDECIDED, and the caller asks `recordJson`
 * (wire/record.ts), the definition this must agree with.
 */

import { keyOf } from './json-keys.js';

export const NO_FIELDS = 0;
export const FIELDS = 1;
export const UNDECIDED = 2;

/** The fields found by the last FIELDS answer: byte ranges of the line, their JSON text verbatim. */
export const found = { sessionStart: 0, sessionEnd: 0, eventStart: 0, eventEnd: 0 };

const MAX_DEPTH = 32;
/**
 * Start and end of the last string value of session, event, message (NOT_STRING otherwise): one
 * pair of arrays for every line, not two allocated per line.
 */
const lastStarts = new Int32Array(3);
const lastEnds = new Int32Array(3);
/** Marks a value that is not a string (or a key never seen): typeof would not be 'string'. */
const NOT_STRING = -1;

// The scan's cursor and the last string's facts, module state so the helpers return plain numbers.
let buf: Buffer;
let end = 0;
let pos = 0;
let escaped = false;
let nonAscii = false;
/** The line's quotes in order when known (a line with no escape but quotes), and the next one. */
let quoteAt: Int32Array | undefined;
let quoteCount = 0;
let nextQuote = 0;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;
}

function skipSpace(): void {
  // Locals in the loop: module variables are memory, not registers.
  const b = buf;
  let i = pos;
  while (i < end && isSpace(b[i]!)) i++;
  pos = i;
}

function isHex(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);
}

/** At a `"`: moves past the string and returns where its content ends, or -1 if it is not valid JSON. */
function string(): number {
  if (quoteAt !== undefined) {
    // Every quote of such a line opens or closes a string, in order.
    if (nextQuote + 1 >= quoteCount || quoteAt[nextQuote] !== pos) return -1;
    const close = quoteAt[nextQuote + 1]!;
    nextQuote += 2;
    escaped = false;
    nonAscii = false;
    pos = close + 1;
    return close < end ? close : -1;
  }
  const b = buf;
  const to = end;
  let i = pos + 1;
  let sawEscape = false;
  let sawNonAscii = false;
  for (; i < to; i++) {
    const c = b[i]!;
    if (c === 0x22) break;
    if (c < 0x20) return -1;
    if (c > 0x7f) sawNonAscii = true;
    else if (c === 0x5c) {
      sawEscape = true;
      const e = b[++i];
      if (e === 0x75) {
        if (i + 4 >= to || !isHex(b[i + 1]!) || !isHex(b[i + 2]!) || !isHex(b[i + 3]!) || !isHex(b[i + 4]!)) return -1;
        i += 4;
      } else if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return -1;
    }
  }
  if (i >= to) return -1;
  escaped = sawEscape;
  nonAscii = sawNonAscii;
  pos = i + 1;
  return i;
}

function digits(): boolean {
  const from = pos;
  while (pos < end && buf[pos]! >= 0x30 && buf[pos]! <= 0x39) pos++;
  return pos > from;
}

function number(): boolean {
  if (buf[pos] === 0x2d) pos++;
  if (buf[pos] === 0x30) pos++;
  else if (!digits()) return false;
  if (buf[pos] === 0x2e && (pos++, !digits())) return false;
  if (buf[pos] === 0x65 || buf[pos] === 0x45) {
    pos++;
    if (buf[pos] === 0x2b || buf[pos] === 0x2d) pos++;
    if (!digits()) return false;
  }
  return true;
}

function literal(word: string): boolean {
  for (let i = 0; i < word.length; i++) if (buf[pos + i] !== word.charCodeAt(i)) return false;
  pos += word.length;
  return pos <= end;
}

/** Skips any value; false if it is not valid JSON (or nests deeper than MAX_DEPTH: undecided). */
function value(depth: number): boolean {
  const b = buf[pos];
  if (b === 0x22) return string() !== -1;
  if (b === 0x7b || b === 0x5b) {
    if (depth >= MAX_DEPTH) return false;
    const close = b + 2;
    pos++;
    skipSpace();
    if (buf[pos] === close) return ++pos <= end;
    for (;;) {
      if (b === 0x7b) {
        if (buf[pos] !== 0x22 || string() === -1) return false;
        skipSpace();
        if (buf[pos++] !== 0x3a) return false;
        skipSpace();
      }
      if (!value(depth + 1)) return false;
      skipSpace();
      const c = buf[pos++];
      if (c === close) return pos <= end;
      if (c !== 0x2c) return false;
      skipSpace();
    }
  }
  if (b === 0x74) return literal('true');
  if (b === 0x66) return literal('false');
  if (b === 0x6e) return literal('null');
  return number() && pos <= end;
}


/**
 * Reads the JSON object line `bytes[from, to)` (its first byte is `{`). FIELDS with `found` set,
 * NO_FIELDS (a valid object without them), or UNDECIDED. `knownQuotes`: the positions of all the
 * line's quotes, in order, when the line holds no backslash, control or non-ASCII byte.
 */
export function scanJsonLine(bytes: Buffer, from: number, to: number, knownQuotes?: { at: Int32Array; count: number }): number {
  quoteAt = knownQuotes?.at;
  quoteCount = knownQuotes?.count ?? 0;
  nextQuote = 0;
  buf = bytes;
  end = to;
  pos = from + 1;
  const starts = lastStarts;
  const ends = lastEnds;
  starts[0] = starts[1] = starts[2] = NOT_STRING;
  let undecided = false;
  skipSpace();
  if (buf[pos] === 0x7d) pos++;
  else {
    for (;;) {
      if (buf[pos] !== 0x22) return UNDECIDED;
      const keyStart = pos + 1;
      const keyEnd = string();
      if (keyEnd === -1) return UNDECIDED;
      // An escaped key may spell one of ours once decoded.
      if (escaped) undecided = true;
      const key = keyOf(buf, keyStart, keyEnd);
      skipSpace();
      if (buf[pos++] !== 0x3a) return UNDECIDED;
      skipSpace();
      if (buf[pos] === 0x22) {
        const valueStart = pos + 1;
        const valueEnd = string();
        if (valueEnd === -1) return UNDECIDED;
        if (key !== -1) {
          // Verbatim bytes are the value's JSON text only without escapes; a message must be ASCII
          // for its whitespace to be judged here.
          // Whitespace beyond ASCII is judged by the definition.
          starts[key] = escaped || nonAscii ? -2 : valueStart;
          ends[key] = valueEnd;
        }
      } else {
        if (!value(1)) return UNDECIDED;
        if (key !== -1) starts[key] = NOT_STRING;
      }
      skipSpace();
      const c = buf[pos++];
      if (c === 0x7d) break;
      if (c !== 0x2c) return UNDECIDED;
      skipSpace();
    }
  }
  skipSpace();
  if (pos !== end || undecided) return UNDECIDED;
  return decide(starts, ends);
}


/** FIELDS, NO_FIELDS or UNDECIDED from the last string values of session, event and message. */
function decide(starts: Int32Array, ends: Int32Array): number {
  if (starts[0]! !== NOT_STRING && starts[1]! !== NOT_STRING) {
    if (starts[0]! < 0 || starts[1]! < 0) return UNDECIDED;
    if (isPart(starts[0]!, ends[0]!) && isPart(starts[1]!, ends[1]!)) return set(starts[0]!, ends[0]!, starts[1]!, ends[1]!);
    // Fields that are no event by the format's rule: the message may be one.
  }
  const m = starts[2]!;
  if (m === NOT_STRING) return NO_FIELDS;
  if (m < 0) return UNDECIDED;
  return textEvent(m, ends[2]!);
}

/** A session or event field, ASCII without escapes: non-empty, and whitespace can only be a space. */
function isPart(from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) if (buf[i] === 0x20) return false;
  return true;
}

/** `<session>:<event>` in an ASCII message without escapes: whitespace can only be a space. */
function textEvent(from: number, to: number): number {
  let colon = -1;
  for (let i = from; i < to; i++) {
    const b = buf[i]!;
    if (b === 0x20) return NO_FIELDS;
    if (b === 0x3a && colon === -1) colon = i;
  }
  if (colon <= from || colon === to - 1) return NO_FIELDS;
  return set(from, colon, colon + 1, to);
}

function set(sessionStart: number, sessionEnd: number, eventStart: number, eventEnd: number): number {
  found.sessionStart = sessionStart;
  found.sessionEnd = sessionEnd;
  found.eventStart = eventStart;
  found.eventEnd = eventEnd;
  return FIELDS;
}
