/**
 * The lines of NDJSON records, read from the received bytes for a listener that only prints them:
 * each record's `line` is unescaped straight from the record, 16 bytes at a time by a WebAssembly
 * module (src/wasm/records.wat), with no string made for the record, nor for its line unless a
 * filter tests it. Only records of the shape the server writes are read there,
 * `{"id":"…","file":"…","line":"…","session":"…","event":"…","truncated":true}` with `file`,
 * session and event, and truncated optional, and only where the bytes are valid UTF-8 (the text
 * way would put U+FFFD in place of invalid ones). The reader stops before anything else (a gap
 * record, a surrogate escape, something that may not be JSON at all) and the caller parses that
 * one record as JSON, the definition these bytes must agree with.
 *
 * A chunk is copied into the module's memory once; its lines are written after it there and
 * copied out into the sink before anything else can use that memory.
 */
import { WasmModule } from '../wasm/module.js';

interface Exports {
  read(pos: number, end: number, out: number, max: number): number;
  input: WebAssembly.Global;
  lines: WebAssembly.Global;
  out: WebAssembly.Global;
  lineStart: WebAssembly.Global;
  idStart: WebAssembly.Global;
  idEnd: WebAssembly.Global;
}

const records = new WasmModule<Exports>('records');
const { read, lines, out, lineStart, idStart, idEnd } = records.exports;
/** Where the input goes in the module's memory (tables come before it). */
const INPUT = records.exports.input.value;
/** Bytes after each region that a 16-byte load or store may reach. */
const SLACK = 16;
/** The largest count the module takes (an i32). */
const MAX_LINES = 0x7fffffff;

/** The buffer whose bytes are in the module's memory now, and where the output goes after it. */
let loaded: Buffer | undefined;
let output = 0;

/**
 * `buf` copied into the module's memory, unless it is there already: a chunk the reader stops in
 * several times (at each record left to the caller) is copied once. Another stream's chunk may
 * have taken its place meanwhile; the buffer itself never changes once received.
 */
function load(buf: Buffer): void {
  if (loaded === buf) return;
  output = INPUT + buf.length + SLACK;
  // The output takes at most the input's length (each line and its `\n` are shorter than its record).
  records.reserve(output + buf.length + 2 * SLACK);
  records.bytes.set(buf, INPUT);
  loaded = buf;
}

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

/** Which lines to print, when not all: a line filter, given the line as text. */
export type Keep = ((line: string) => boolean) | undefined;

/**
 * Reads records of `buf` (valid UTF-8) from `pos`, a line's start, into `sink`, until `max` lines
 * are kept; returns where it stopped: `buf.length`, or the start of a record it leaves to the caller.
 * Lines are written from `sink.length` on: the caller reserves `buf.length` bytes, which is room
 * for all of them, each being shorter than its record.
 */
export function readLines(buf: Buffer, pos: number, max: number, sink: LineSink, keep?: Keep): number {
  load(buf);
  const end = INPUT + buf.length;
  let at = INPUT + pos;
  let o = output;
  let taken = 0;
  if (keep === undefined) {
    at = read(at, end, o, Math.min(max, MAX_LINES));
    taken = lines.value;
    o = out.value;
    sink.count += taken;
  } else {
    // One record a call, its line tested here: a line the filter drops is written over by the next.
    const bytes = records.bytes;
    let kept = 0;
    while (kept < max) {
      at = read(at, end, o, 1);
      if (lines.value === 0) break;
      taken++;
      const stop = out.value;
      if (!keep(bytes.toString('utf8', lineStart.value, stop - 1))) continue;
      o = stop;
      kept++;
    }
    sink.count += kept;
  }
  if (taken > 0) {
    sink.id = buf;
    sink.idStart = idStart.value - INPUT;
    sink.idEnd = idEnd.value - INPUT;
    sink.read += taken;
  }
  // Out of the module's memory before anything else runs there.
  sink.length += records.bytes.copy(sink.buf, sink.length, output, o);
  return at - INPUT;
}
