/**
 * A line's bytes as the inside of a JSON string, written straight into the record: only the bytes
 * `JSON.stringify` escapes are changed (`"`, `\` and controls), everything else is copied. UTF-8
 * bytes are copied as they are, which is what encoding the decoded line gives when the bytes are
 * valid UTF-8; the caller sends lines of an invalid batch the text way instead.
 *
 * The loop is WebAssembly (src/wasm/escape.wat, 16 bytes a step): JavaScript pays a nanosecond or
 * two a byte, and a JSON line holds a quote every few bytes, too often for native searches. The
 * batch is copied into the module's memory once (`loadBatch`) with the constant parts of its
 * records, and the records are written there too: a line's whole record is one call
 * (`writeRecord`), and nothing is copied back until the payload is complete.
 */
import { WasmModule } from '../wasm/module.js';

interface EscapeExports {
  escape(src: number, end: number, dst: number, origin: number): number;
  frame(head: number, headLength: number, between: number, betweenLength: number, afterId: number, afterIdLength: number, close: number, closeLength: number, closeTruncated: number, closeTruncatedLength: number): void;
  record(src: number, end: number, dst: number, origin: number, offset: number, truncated: number): number;
  close(dst: number, truncated: number): number;
  results: WebAssembly.Global;
  quotes: WebAssembly.Global;
  quoteCapacity: WebAssembly.Global;
  input: WebAssembly.Global;
}

const wasm = new WasmModule<EscapeExports>('escape');
const { escape, frame, record, close } = wasm.exports;
/** Where the batch is copied to: positions in it are the batch's own plus INPUT. */
const INPUT = wasm.exports.input.value;
const RESULTS = wasm.exports.results.value / 4;
const QUOTES = wasm.exports.quotes.value / 4;
const QUOTE_CAPACITY = wasm.exports.quoteCapacity.value;
/** The module reads and writes 16 bytes at a time, past the end of the input and of the output. */
const SLACK = 16;

/** Whitespace, non-ASCII and escapes other than quotes: the flags `escapeLine` reports. */
export const WHITESPACE = 1;
export const NON_ASCII = 2;
export const OTHER_ESCAPES = 4;

/**
 * The module's memory, seen as bytes and as the 32-bit results of the last call. Growing the
 * memory detaches both: `room` takes them again.
 */
export const memory = { bytes: wasm.bytes, ints: new Int32Array(wasm.bytes.buffer) };

/**
 * Where `escapeLine` found the line's quotes, in order (batch positions), when it holds at most
 * the capacity of them: the JSON scan then skips each string of the line in one step.
 */
export const quotes = { at: new Int32Array(wasm.bytes.buffer, QUOTES * 4, QUOTE_CAPACITY), count: 0 };

function refresh(): void {
  const bytes = wasm.bytes;
  memory.bytes = bytes;
  memory.ints = new Int32Array(bytes.buffer);
  quotes.at = new Int32Array(bytes.buffer, QUOTES * 4, QUOTE_CAPACITY);
}

/**
 * The memory with room for `n` more bytes after `used` (and the slack the module's stores write
 * past the end): growing it detaches the views taken before, so the caller takes this one.
 */
export function room(used: number, n: number): Buffer {
  if (used + n + SLACK > memory.bytes.length && wasm.reserve(used + n + SLACK)) refresh();
  return memory.bytes;
}

/**
 * A batch's records are framed by constant parts: before the id (the frame's opening, `{"id":"`,
 * the id prefix), between the two ids of an SSE event, after the id (the suffix, the file, the
 * line's opening), and the closes with the frame's end. `loadBatch` places them once per batch.
 */
export interface RecordFrame {
  head: string;
  /** Empty when the id is written once. */
  between: string;
  afterId: Buffer;
  close: string;
  closeTruncated: string;
}

/**
 * Copies the batch in (its slack reserved) and places its frame after it; returns where the memory
 * after them is free for the records.
 */
export function loadBatch(batch: Buffer, parts: RecordFrame): number {
  let at = INPUT + batch.length;
  const length = parts.head.length + parts.between.length + parts.afterId.length + parts.close.length + parts.closeTruncated.length;
  // Each part starts 16 bytes or more (aligned) after the end of the one before; the records after the last.
  room(at, 6 * (SLACK + 15) + length);
  const bytes = memory.bytes;
  bytes.set(batch, INPUT);
  // Each part is followed by slack: the module copies 16 bytes at a time.
  const place = (part: string | Buffer): number => {
    at = (at + SLACK + 15) & ~15;
    const from = at;
    at += typeof part === 'string' ? bytes.write(part, at, 'latin1') : part.copy(bytes, at);
    return from;
  };
  frame(
    place(parts.head), parts.head.length, place(parts.between), parts.between.length, place(parts.afterId), parts.afterId.length,
    place(parts.close), parts.close.length, place(parts.closeTruncated), parts.closeTruncated.length,
  );
  return (at + SLACK + 15) & ~15;
}

/**
 * Writes the framed record of the loaded batch's `[start, end)`, ending before file offset
 * `offset`, at `dst` in the memory, and returns where it ends: the whole record, from the frame's
 * opening to its end, when the line is ASCII text or a JSON line of winston's flat shape. Else -1:
 * the record is written up to the escaped line (ending at `lineEnd()`), and `quotes`, `colonOf()`
 * and `flagsOf()` describe the line as after `escapeLine`. Room for six bytes per input byte and
 * the frame must be reserved (`room`).
 */
export function writeRecord(start: number, end: number, dst: number, offset: number, truncated: boolean): number {
  const p = record(INPUT + start, INPUT + end, dst, INPUT, offset, truncated ? 1 : 0);
  if (p < 0) noteQuotes();
  return p;
}

/** Where the escaped line ends when `writeRecord` left the rest of the record to the caller. */
export function lineEnd(): number {
  return memory.ints[RESULTS + 3]!;
}

/** The record's close and the frame's end, at `dst`; returns where they end. */
export function closeRecord(dst: number, truncated: boolean): number {
  return close(dst, truncated ? 1 : 0);
}

/**
 * Writes the loaded batch's `[start, end)` escaped at `dst` in the memory and returns where it
 * ends. Room for six bytes per input byte must be reserved (`room`). Then `quotes`, `colonOf()`
 * (the first `:` as a batch position, -1 if none) and `flagsOf()` describe the line.
 */
export function escapeLine(start: number, end: number, dst: number): number {
  const p = escape(INPUT + start, INPUT + end, dst, INPUT);
  noteQuotes();
  return p;
}

function noteQuotes(): void {
  const count = memory.ints[RESULTS]!;
  // Beyond the capacity the positions are not all known: the scan reads the bytes instead.
  quotes.count = count <= QUOTE_CAPACITY ? count : -1;
}

export function colonOf(): number {
  return memory.ints[RESULTS + 1]!;
}

export function flagsOf(): number {
  return memory.ints[RESULTS + 2]!;
}
