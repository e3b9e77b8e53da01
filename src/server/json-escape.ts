/**
 * A line's bytes as the inside of a JSON string, written straight into the record: only the bytes
 * `JSON.stringify` escapes are changed (`"`, `\` and controls), everything else is copied. UTF-8
 * bytes are copied as they are, which is what encoding the decoded line gives when the bytes are
 * valid UTF-8; the caller sends lines of an invalid batch the text way instead.
 *
 * The loop is WebAssembly (src/wasm/escape.wat, 16 bytes a step): JavaScript pays a nanosecond or
 * two a byte, and a JSON line holds a quote every few bytes, too often for native searches. The
 * batch is copied into the module's memory once (`loadBatch`), and the records are written there
 * too, so escaping a line is one call and nothing is copied back until the payload is complete.
 */
import { WasmModule } from '../wasm/module.js';

interface EscapeExports {
  escape(src: number, end: number, dst: number, origin: number): number;
  flatFields(from: number, to: number, dst: number, origin: number): number;
  results: WebAssembly.Global;
  quotes: WebAssembly.Global;
  quoteCapacity: WebAssembly.Global;
  input: WebAssembly.Global;
}

const wasm = new WasmModule<EscapeExports>('escape');
const { escape, flatFields } = wasm.exports;
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
 * Copies the batch in (its slack reserved), or nothing when the lines are copied from the batch
 * itself; returns where the memory after it is free for the records.
 */
export function loadBatch(batch: Buffer | undefined): number {
  const end = INPUT + (batch?.length ?? 0);
  room(end, 0);
  if (batch) memory.bytes.set(batch, INPUT);
  return (end + SLACK + 15) & ~15;
}

/**
 * Writes the loaded batch's `[start, end)` escaped at `dst` in the memory and returns where it
 * ends. Room for six bytes per input byte must be reserved (`room`). Then `quotes`, `colonOf()`
 * (the first `:` as a batch position, -1 if none) and `flagsOf()` describe the line.
 */
export function escapeLine(start: number, end: number, dst: number): number {
  const p = escape(INPUT + start, INPUT + end, dst, INPUT);
  const count = memory.ints[RESULTS]!;
  // Beyond the capacity the positions are not all known: the scan reads the bytes instead.
  quotes.count = count <= QUOTE_CAPACITY ? count : -1;
  return p;
}

/**
 * For a line starting with `{` that `escapeLine` just escaped, finding no escape but quotes and
 * no non-ASCII byte: when it is a JSON object of string members only, as winston writes it, its
 * session and event fields (`","session":"…","event":"…`) as the definition finds them, written
 * at `dst`; returns where they end (`dst` when it has none), or -1 when the line is of another
 * shape and the full scan must read it.
 */
export function writeFlatFields(start: number, end: number, dst: number): number {
  return flatFields(start, end, dst, INPUT);
}

export function colonOf(): number {
  return memory.ints[RESULTS + 1]!;
}

export function flagsOf(): number {
  return memory.ints[RESULTS + 2]!;
}

/** The bytes a JSON string escapes besides quotes and the newlines between lines. */
const ESCAPED = [0x5c, ...Array.from({ length: 0x20 }, (_, b) => b).filter((b) => b !== 0x0a)];

/**
 * Whether the lines of an ASCII `batch` hold nothing to escape, so that they are copied without a
 * look at each byte. A few dozen native scans of the batch cost less than one scan in
 * JavaScript; a batch with quotes (JSON-bearing lines) is settled by the first.
 */
export function nothingToEscape(batch: Buffer): boolean {
  // Below a few kilobytes the fixed cost of the scans is more than escaping each line.
  if (batch.length < 4096 || batch.indexOf(0x22) !== -1) return false;
  for (const byte of ESCAPED) if (batch.indexOf(byte) !== -1) return false;
  return true;
}
