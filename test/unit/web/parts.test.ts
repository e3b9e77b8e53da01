import { describe, expect, it } from 'vitest';
import { hashHue } from '../../../src/web/colour.js';
import { compileFilter } from '../../../src/web/filter.js';
import { EventRates, NO_NAME, OTHER } from '../../../src/web/rates.js';
import { parseRecord } from '../../../src/web/record.js';
import { Ring } from '../../../src/web/ring.js';

const compiled = (pattern: string, ignoreCase = false, invert = false) => {
  const result = compileFilter({ pattern, ignoreCase, invert });
  if (!result.ok) throw new Error(result.error);
  return result.filter;
};

describe('the page filter', () => {
  it('passes everything, highlighting nothing, when empty', () => {
    const filter = compiled('');
    expect(filter.active).toBe(false);
    expect(filter.test('anything')).toBe(true);
    expect(filter.ranges('anything')).toEqual([]);
  });

  it('tests like the server match= and finds every match for highlighting', () => {
    const filter = compiled('c[a-z]');
    expect(filter.test('s1:click')).toBe(true);
    expect(filter.test('s1:buy')).toBe(false);
    expect(filter.ranges('s1:click-clack')).toEqual([[3, 5], [6, 8], [9, 11], [12, 14]]);
    // The global regex used for ranges must not leak its position into the next line.
    expect(filter.ranges('ck')).toEqual([[0, 2]]);
  });

  it('ignores case, inverts (with nothing highlighted), and survives empty matches', () => {
    expect(compiled('CLICK', true).test('s:click')).toBe(true);
    const inverted = compiled('click', false, true);
    expect(inverted.test('s:click')).toBe(false);
    expect(inverted.test('s:buy')).toBe(true);
    expect(inverted.ranges('s:buy')).toEqual([]);
    expect(compiled('x*').ranges('abxxc')).toEqual([[2, 4]]);
  });

  it('answers an invalid pattern with its reason instead of throwing', () => {
    const result = compileFilter({ pattern: 'a(', ignoreCase: false, invert: false });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/Unterminated group/);
  });
});

describe('Ring', () => {
  it('keeps the newest items up to its capacity, oldest first', () => {
    const ring = new Ring<number>(3);
    expect([1, 2, 3].map((n) => ring.push(n))).toEqual([undefined, undefined, undefined]);
    expect(ring.push(4)).toBe(1);
    expect(ring.push(5)).toBe(2);
    expect([...ring]).toEqual([3, 4, 5]);
    expect([ring.at(0), ring.at(2), ring.at(3), ring.at(-1)]).toEqual([3, 5, undefined, undefined]);
    expect(ring.drain()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(0);
    ring.push(6);
    expect([...ring]).toEqual([6]);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new Ring(0)).toThrow(RangeError);
  });
});

describe('EventRates', () => {
  const at = (second: number, ms = 0): number => 1_700_000_000_000 + second * 1000 + ms;

  it('counts per name per second over the window, clearing seconds as they pass', () => {
    const rates = new EventRates({ windowSeconds: 5, maxNames: 10 });
    rates.add('click', at(0));
    rates.add('click', at(0, 500));
    rates.add('buy', at(1));
    rates.add('click', at(3), 4);
    expect(rates.series('click', at(4, 10))).toEqual([0, 2, 0, 0, 4]);
    expect(rates.series('buy', at(4, 10))).toEqual([0, 0, 1, 0, 0]);
    expect(rates.lastSecond(at(4, 10))).toBe(4);
    // Six seconds later the window holds nothing of the above.
    expect(rates.series('click', at(10))).toEqual([0, 0, 0, 0, 0]);
    expect(rates.lastSecond(at(10))).toBe(0);
    expect(rates.totals()).toEqual([['click', 6], ['buy', 1]]);
  });

  it('does not show the second in progress as the oldest second of the window', () => {
    const rates = new EventRates({ windowSeconds: 3, maxNames: 10 });
    rates.add('a', at(0));
    rates.add('a', at(3), 9);
    // Seconds 0, 1 and 2 are complete; second 3 (9 events so far) is not shown yet.
    expect(rates.series('a', at(3, 500))).toEqual([1, 0, 0]);
  });

  it('caps the names it tracks; lines without an event count as their own name', () => {
    const rates = new EventRates({ windowSeconds: 5, maxNames: 2 });
    rates.add(undefined, at(0));
    rates.add('a', at(0));
    rates.add('b', at(0));
    rates.add('c', at(0));
    expect(Object.fromEntries(rates.totals())).toEqual({ [NO_NAME]: 1, a: 1, [OTHER]: 2 });
  });

  it('counts history in the totals, never in the rate', () => {
    const rates = new EventRates({ windowSeconds: 5, maxNames: 10 });
    rates.addHistory('a', 100);
    rates.addHistory(undefined);
    rates.add('a', at(1));
    expect(Object.fromEntries(rates.totals())).toEqual({ a: 101, [NO_NAME]: 1 });
    expect(rates.series('a', at(2))).toEqual([0, 0, 0, 0, 1]);
    expect(rates.lastSecond(at(2))).toBe(1);
  });
});

describe('colours', () => {
  it('gives a name its hue from the name alone, whatever came before it', () => {
    const names = ['impression', 'click', 'buy', 'signup', 'view'];
    const hues = names.map(hashHue);
    expect([...names].reverse().map(hashHue)).toEqual([...hues].reverse());
    for (const hue of hues) expect(hue >= 0 && hue < 360).toBe(true);
    expect(new Set(hues).size).toBe(names.length);
  });
});

describe('parseRecord', () => {
  it('takes records with an id and a line and skips anything else', () => {
    expect(parseRecord('{"id":"1.a.b.c","line":"s:e","session":"s","event":"e"}')).toMatchObject({ line: 's:e', event: 'e' });
    expect(parseRecord('{"line":"no id"}')).toBeUndefined();
    expect(parseRecord('not json')).toBeUndefined();
    expect(parseRecord('null')).toBeUndefined();
  });
});
