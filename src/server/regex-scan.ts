/**
 * Reads a (valid, non-unicode) pattern once, for two things V8's linear-time engine needs:
 * - naming what it cannot run (backreferences, lookaround, inline modifiers), the same on every
 *   Node version, instead of a bare "cannot be executed in linear time";
 * - case-insensitivity, which that engine does not support: `ignore_case=1` rewrites every letter
 *   into the class of its case variants (`a` → `[aA]`, `[a-c]` → `[a-cA-C]`), exactly as the `i`
 *   flag compares characters (ECMA-262 Canonicalize without unicode), so the pattern runs without
 *   the flag. Everything else is copied as written.
 */

export type Scanned = { unsupported: string } | { pattern: string };

/** Every code unit with other case variants, grouped by canonical form. Built on first use (about 10 ms). */
let table: { canon: Uint16Array; groups: Map<number, number[]>; cased: number[] } | undefined;

function caseTable(): NonNullable<typeof table> {
  if (table) return table;
  const canon = new Uint16Array(0x10000);
  const groups = new Map<number, number[]>();
  for (let ch = 0; ch < 0x10000; ch++) {
    const upper = String.fromCharCode(ch).toUpperCase();
    const cu = upper.length === 1 ? upper.charCodeAt(0) : ch;
    canon[ch] = ch >= 128 && cu < 128 ? ch : cu;
    const group = groups.get(canon[ch]!);
    if (group) group.push(ch);
    else groups.set(canon[ch]!, [ch]);
  }
  const cased: number[] = [];
  for (let ch = 0; ch < 0x10000; ch++) if (groups.get(canon[ch]!)!.length > 1) cased.push(ch);
  return (table = { canon, groups, cased });
}

function variants(ch: number): number[] {
  const t = caseTable();
  return t.groups.get(t.canon[ch]!)!;
}

const hex = (ch: number): string => `\\u${ch.toString(16).padStart(4, '0')}`;

function foldChar(ch: number, written: string): string {
  const all = variants(ch);
  return all.length > 1 ? `[${all.map(hex).join('')}]` : written;
}

interface Escape {
  /** Code units taken from the pattern. */
  length: number;
  /** The character it stands for, when it is one character (not a class like `\d`). */
  ch?: number;
}

const CLASS_ESCAPES = 'dDwWsS';
const CONTROL: Record<string, number> = { f: 12, n: 10, r: 13, t: 9, v: 11 };

/** The escape at `at` (a backslash), per Annex B's lenient non-unicode grammar. */
function readEscape(src: string, at: number, inClass: boolean): Escape {
  const c = src[at + 1];
  if (c === undefined) return { length: 1 };
  if (CLASS_ESCAPES.includes(c)) return { length: 2 };
  if (c === 'b') return inClass ? { length: 2, ch: 8 } : { length: 2 };
  if (c === 'B') return inClass ? { length: 2, ch: 66 } : { length: 2 };
  if (c in CONTROL) return { length: 2, ch: CONTROL[c]! };
  if (c === 'c') {
    const l = src[at + 2] ?? '';
    if (/[a-z]/i.test(l) || (inClass && /[\d_]/.test(l))) return { length: 3, ch: l.charCodeAt(0) % 32 };
    return { length: 1, ch: 92 }; // a lone backslash, then `c` as itself
  }
  if (c === 'x' && /^[\da-f]{2}$/i.test(src.slice(at + 2, at + 4))) return { length: 4, ch: parseInt(src.slice(at + 2, at + 4), 16) };
  if (c === 'u' && /^[\da-f]{4}$/i.test(src.slice(at + 2, at + 6))) return { length: 6, ch: parseInt(src.slice(at + 2, at + 6), 16) };
  const octal = /^[0-7]{1,3}/.exec(src.slice(at + 1, at + 4))?.[0];
  if (octal !== undefined && (c === '0' || inClass)) {
    const digits = parseInt(octal, 8) > 0o377 ? octal.slice(0, 2) : octal;
    return { length: 1 + digits.length, ch: parseInt(digits, 8) };
  }
  return { length: 2, ch: c.charCodeAt(0) };
}

/** A class `[...]` from `at`: its text, and with `fold`, the same class plus every case variant of its members. */
function readClass(src: string, at: number, fold: boolean): { length: number; text: string } {
  let j = at + 1;
  if (src[j] === '^') j++;
  const members: [number, number][] = [];
  let prev: number | undefined;
  let range = false;
  while (j < src.length && src[j] !== ']') {
    let ch: number | undefined;
    if (src[j] === '\\') {
      const e = readEscape(src, j, true);
      ch = e.ch;
      j += e.length;
    } else if (src[j] === '-' && prev !== undefined && !range && src[j + 1] !== ']') {
      range = true;
      j++;
      continue;
    } else {
      ch = src.charCodeAt(j++);
    }
    if (range && prev !== undefined && ch !== undefined) {
      members[members.length - 1] = [prev, ch];
      prev = undefined;
    } else if (ch !== undefined) {
      members.push([ch, ch]);
      prev = ch;
    } else {
      prev = undefined;
    }
    range = false;
  }
  const body = src.slice(at, j);
  if (!fold) return { length: j + 1 - at, text: `${body}]` };
  const extra = new Set<number>();
  const { cased } = caseTable();
  for (const [lo, hi] of members) {
    for (let k = lowerBound(cased, lo); k < cased.length && cased[k]! <= hi; k++) {
      for (const v of variants(cased[k]!)) if (v < lo || v > hi) extra.add(v);
    }
  }
  return { length: j + 1 - at, text: `${body}${[...extra].map(hex).join('')}]` };
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `source` must already compile as a RegExp without flags. */
export function scanPattern(source: string, fold: boolean): Scanned {
  let out = '';
  for (let i = 0; i < source.length; ) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next)) return { unsupported: `backreferences (\\${next})` };
      if (next === 'k' && source[i + 2] === '<') return { unsupported: 'backreferences (\\k<name>)' };
      const e = readEscape(source, i, false);
      const written = e.ch === 92 && e.length === 1 ? '\\\\' : source.slice(i, i + e.length);
      out += fold && e.ch !== undefined ? foldChar(e.ch, written) : written;
      i += e.length;
    } else if (c === '[') {
      const cls = readClass(source, i, fold);
      out += cls.text;
      i += cls.length;
    } else if (c === '(' && source[i + 1] === '?') {
      const kind = source.slice(i + 2, i + 4);
      if (kind[0] === '=' || kind[0] === '!') return { unsupported: 'lookahead ((?= and (?!)' };
      if (kind === '<=' || kind === '<!') return { unsupported: 'lookbehind ((?<= and (?<!)' };
      if (kind[0] !== ':' && kind[0] !== '<') return { unsupported: 'inline modifiers ((?i: and the like)' };
      // A group name is copied as written: names are not folded.
      const end = kind[0] === ':' ? i + 3 : source.indexOf('>', i) + 1;
      out += source.slice(i, end);
      i = end;
    } else if (c === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i, i + 24))) {
      const end = source.indexOf('}', i) + 1;
      out += source.slice(i, end);
      i = end;
    } else {
      out += fold ? foldChar(c.charCodeAt(0), c) : c;
      i++;
    }
  }
  return { pattern: fold ? out : source };
}
