import { describe, expect, it } from 'vitest';
import { scanPattern } from '../../../src/server/regex-scan.js';
import { compileLinear, UnsafePattern } from '../../../src/server/safe-regex.js';

/** Every code unit up to Cyrillic, plus the characters whose case rules are special. */
const inputs: string[] = [];
for (let c = 0; c < 0x600; c++) inputs.push(String.fromCharCode(c));
inputs.push('\u212a', '\u017f', '\u1e9e', '\u0130', '\u0131', 'IMPRESSION', 'ImPrEsSiOn', 'aBe', 'AdE', 'uu', 'xXx', 'abC', '\\c1', 'c1', 'UUUU');

describe('ignore_case without the i flag', () => {
  const patterns = [
    'impression', 'a[b-d]e', '[^a-z]', '[A-z]', '[0-Z]', '\\x41', '\\u0042c', '\\cJ', 'µ', '[µ-ž]', '\\p{L}', '\\k', '(?<Name>ab)c',
    'x{2,3}', 'a\\bB', '[\\b]', '[\\101]', '\\0', '[\\w-z]', 'ſ', 'K', '[k]', '\\c1', '[\\c1]', '\\u{2}', 'é', 'İ', 'ß', '[^\\W]', '[]', '[^]',
  ];
  it.each(patterns)('%s, folded, matches what the i flag matches', (pattern) => {
    const scanned = scanPattern(pattern, true);
    if (!('pattern' in scanned)) throw new Error(scanned.unsupported);
    const withFlag = new RegExp(pattern, 'i');
    const folded = new RegExp(scanned.pattern);
    for (const x of inputs) {
      for (const line of [x, `z${x}z`, x + x]) expect(folded.test(line), `${scanned.pattern} on ${JSON.stringify(line)}`).toBe(withFlag.test(line));
    }
    // And the linear engine accepts the folded form.
    expect(compileLinear(pattern, true).source).toBe(new RegExp(scanned.pattern).source);
  });

  it('leaves a pattern as written without ignore_case', () => {
    for (const pattern of patterns) expect(scanPattern(pattern, false)).toEqual({ pattern });
  });
});

describe('compileLinear', () => {
  it('names what it refuses, the same on every Node version', () => {
    const refused: [string, RegExp][] = [
      ['(a)\\1', /backreferences \(\\1\)/],
      ['(?<n>a)\\k<n>', /backreferences \(\\k<name>\)/],
      ['a(?=b)', /lookahead/],
      ['a(?!b)', /lookahead/],
      ['(?<=a)b', /lookbehind/],
      ['(?<!a)b', /lookbehind/],
      // Invalid before V8 12.5 (Node 20, 22), refused by name where V8 accepts it.
      ['(?i:a)', /inline modifiers|invalid regular expression/],
      ['(a{1000}){1000}', /cannot run in linear time/],
      ['a'.repeat(257), /longer than 256/],
      ['a{2,1}', /invalid regular expression/],
    ];
    for (const [pattern, reason] of refused) {
      expect(() => compileLinear(pattern, false), pattern).toThrow(UnsafePattern);
      expect(() => compileLinear(pattern, false), pattern).toThrow(reason);
    }
  });

  it('runs patterns that backtrack exponentially elsewhere in a bounded time per line', () => {
    const cases: [string, string][] = [
      ['(a+)+$', `${'a'.repeat(40)}b`],
      ['^(.|.|.)*Z', 's-3f9a21c0:impression'],
      ['(x+x+)+y', 'x'.repeat(60)],
      ['^(a|aa)+$', `${'a'.repeat(60)}b`],
    ];
    for (const [pattern, line] of cases) {
      for (const ignoreCase of [false, true]) {
        const re = compileLinear(pattern, ignoreCase);
        const start = performance.now();
        expect(re.test(line)).toBe(false);
        // A backtracking engine needs from seconds to years for these; the linear one microseconds.
        expect(performance.now() - start, `${pattern} ${ignoreCase}`).toBeLessThan(500);
      }
    }
  });
});
