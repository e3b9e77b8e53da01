/**
 * `match=` patterns come from whoever can reach the server (a shared page link included), and run
 * on its only thread: a backtracking pattern such as `(a+)+$` could take minutes on one line and
 * stall every client. So a pattern is accepted only if V8's linear-time engine can run it, and
 * runs on V8's fast backtracking engine until it backtracks too much on a line; then V8 finishes
 * that line on the linear engine. Ordinary patterns keep their full speed; no pattern costs more
 * than a bounded number of steps per character. What the linear engine cannot run (backreferences,
 * lookaround) is refused with a reason. `listen -m` runs the user's own regex locally and does not
 * come through here.
 */
import { setFlagsFromString } from 'node:v8';
import { describeRegexError } from '../errors.js';
import { scanPattern } from './regex-scan.js';

/** Longest `match=` pattern; the linear engine's cost per character of a line grows with it. */
export const MAX_PATTERN_CHARS = 256;

/**
 * Backtracks on one line before V8 switches that line to the linear engine. V8's default (50,000)
 * lets one line cost about 0.2 ms, so a batch of such lines could hold the thread for a second.
 */
const BACKTRACKS_BEFORE_LINEAR = 1000;

let flagsSet = false;

/**
 * Process-wide V8 flags, read when a pattern is compiled: set before the first client pattern, and
 * only in a process that gets one. They change no result, only which engine computes it (and make
 * the `l` flag available).
 */
function setEngineFlags(): void {
  if (flagsSet) return;
  flagsSet = true;
  setFlagsFromString('--enable-experimental-regexp-engine');
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  setFlagsFromString(`--regexp-backtracks-before-fallback=${BACKTRACKS_BEFORE_LINEAR}`);
}

export class UnsafePattern extends Error {}

/** A RegExp for `source` that runs in time linear in the line, or an UnsafePattern saying why not. */
export function compileLinear(source: string, ignoreCase: boolean): RegExp {
  setEngineFlags();
  if (source.length > MAX_PATTERN_CHARS) throw new UnsafePattern(`longer than ${MAX_PATTERN_CHARS} characters`);
  try {
    new RegExp(source);
  } catch (err) {
    throw new UnsafePattern(`invalid regular expression: ${describeRegexError(err, source)}`);
  }
  const scanned = scanPattern(source, ignoreCase);
  if ('unsupported' in scanned) throw new UnsafePattern(`${scanned.unsupported} cannot run in linear time on the server (evlog listen -m can filter with them)`);
  try {
    new RegExp(scanned.pattern, 'l');
  } catch {
    throw new UnsafePattern('cannot run in linear time on the server (too large once its repetition counts are multiplied out)');
  }
  return new RegExp(scanned.pattern);
}
