import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseEventList, parseNonNegativeInt, parsePort, parsePositiveInt, parseRate, parseRegex } from '../../src/options.js';

describe('flag value parsers', () => {
  it('accepts whole numbers and rejects everything else', () => {
    expect(parseNonNegativeInt('0')).toBe(0);
    expect(parseNonNegativeInt('1000000')).toBe(1_000_000);
    for (const bad of ['-1', '1.5', 'abc', '', '1e3', '0x10', '99999999999999999999']) {
      expect(() => parseNonNegativeInt(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(() => parsePositiveInt('0')).toThrow(/>= 1/);
    expect(parsePositiveInt('3')).toBe(3);
  });

  it('bounds ports', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('65535')).toBe(65535);
    expect(() => parsePort('65536')).toThrow(InvalidArgumentError);
    expect(() => parsePort('http')).toThrow(InvalidArgumentError);
  });

  it('takes fractional rates but not negative or non-numeric ones', () => {
    expect(parseRate('0')).toBe(0);
    expect(parseRate('0.5')).toBe(0.5);
    for (const bad of ['-1', 'abc', '', 'Infinity', 'NaN']) expect(() => parseRate(bad), bad).toThrow(InvalidArgumentError);
  });

  it('splits event lists and refuses names that would break the line format', () => {
    expect(parseEventList('impression, click ,buy')).toEqual(['impression', 'click', 'buy']);
    expect(() => parseEventList('a,,b')).toThrow(/empty/);
    expect(() => parseEventList('a:b')).toThrow(/':'/);
    expect(() => parseEventList('a b')).toThrow(/whitespace/);
  });

  it('compiles regexes once and names a bad one', () => {
    expect(parseRegex('imp.*', 'i').test('IMPRESSION')).toBe(true);
    expect(() => parseRegex('(')).toThrow(/not a regular expression: unterminated group/);
  });
});
