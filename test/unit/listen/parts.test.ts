import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/client/backoff.js';
import { resolveEndpoint } from '../../../src/client/connect.js';
import { loadCallback } from '../../../src/listen/callback.js';
import { makeFilter } from '../../../src/listen/filter.js';
import { makeHighlighter, useColor } from '../../../src/listen/highlight.js';
import { ContiguousTracker } from '../../../src/listen/tracker.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures/callbacks');

describe('makeFilter', () => {
  it('matches any of several patterns and returns the first match', () => {
    const f = makeFilter({ patterns: ['click', '^s(\\d+):imp'] });
    expect(f('s1:buy')).toBe(false);
    expect((f('s7:impression') as RegExpExecArray)[1]).toBe('7');
    expect((f('s1:click') as RegExpExecArray)[0]).toBe('click');
  });

  it('ignores case with -i and inverts with -v', () => {
    expect(makeFilter({ patterns: ['IMP'] })('s:impression')).toBe(false);
    expect(makeFilter({ patterns: ['IMP'], ignoreCase: true })('s:impression')).not.toBe(false);
    const v = makeFilter({ patterns: ['imp', 'click'], invert: true });
    expect(v('s:impression')).toBe(false);
    expect(v('s:buy')).toBeNull();
  });

  it('lets everything through without patterns', () => {
    expect(makeFilter({ patterns: [] })('anything')).toBeNull();
  });
});

describe('ContiguousTracker', () => {
  it('commits only the prefix in which every event is done', () => {
    const commits: string[] = [];
    const t = new ContiguousTracker((id) => commits.push(id));
    const [a, b, c] = ['a', 'b', 'c'].map((id) => t.start(id)) as [ReturnType<typeof t.start>, ReturnType<typeof t.start>, ReturnType<typeof t.start>];
    t.finish(c);
    t.finish(b);
    expect(commits).toEqual([]);
    t.finish(a);
    expect(commits).toEqual(['c']);
    expect(t.size).toBe(0);
  });

  it('moves past filtered-out events with the event before them', () => {
    const commits: string[] = [];
    const t = new ContiguousTracker((id) => commits.push(id));
    t.pass('x0');
    const a = t.start('a');
    t.pass('x1');
    t.pass('x2');
    expect(commits).toEqual(['x0']);
    t.finish(a);
    expect(commits).toEqual(['x0', 'x2']);
  });
});

describe('backoffDelay', () => {
  it('doubles from the minimum, jitters within the upper half, and caps at the maximum', () => {
    const opts = { minMs: 100, maxMs: 10_000 };
    expect(backoffDelay(0, { ...opts, random: () => 0 })).toBe(50);
    expect(backoffDelay(0, { ...opts, random: () => 1 })).toBe(100);
    expect(backoffDelay(3, { ...opts, random: () => 1 })).toBe(800);
    expect(backoffDelay(30, { ...opts, random: () => 1 })).toBe(10_000);
    expect(backoffDelay(30, { ...opts, random: () => 0 })).toBe(5_000);
  });
});

describe('resolveEndpoint', () => {
  it('maps bare hosts to /stream or /ws and asks for NDJSON', () => {
    expect(resolveEndpoint('http://127.0.0.1:8001').href).toBe('http://127.0.0.1:8001/stream?format=ndjson');
    expect(resolveEndpoint('ws://127.0.0.1:8001').pathname).toBe('/ws');
    expect(resolveEndpoint('https://h/custom/stream?match=x').href).toBe('https://h/custom/stream?match=x&format=ndjson');
  });

  it('reads a URL without a scheme as http://, as curl does', () => {
    expect(resolveEndpoint('localhost:18002').href).toBe('http://localhost:18002/stream?format=ndjson');
    expect(resolveEndpoint('127.0.0.1:8001').href).toBe('http://127.0.0.1:8001/stream?format=ndjson');
    expect(resolveEndpoint('logs.example.com/stream').href).toBe('http://logs.example.com/stream?format=ndjson');
    expect(resolveEndpoint('[::1]:8001').href).toBe('http://[::1]:8001/stream?format=ndjson');
    // A word grep would take as a pattern is not a host name.
    for (const pattern of ['click', 'imp.*', 'a|b', '^s1:']) expect(() => resolveEndpoint(pattern), pattern).toThrow(/patterns go in -m/);
  });

  it('rejects what it cannot read as a usage error', () => {
    expect(() => resolveEndpoint('nonsense')).toThrow(expect.objectContaining({ code: 'EVLOG_ERR_URL', exitCode: 2 }));
    expect(() => resolveEndpoint('ftp://h')).toThrow(/unsupported URL scheme/);
  });
});

describe('loadCallback', () => {
  it.each(['record.mjs', 'record.cjs', 'default-export.cjs', 'async.mjs'])('loads the default export of %s', async (name) => {
    expect(typeof (await loadCallback(path.join(FIXTURES, name)))).toBe('function');
  });

  it.each([
    ['missing.mjs', /not found/],
    ['syntax-error.mjs', /failed to load: /],
    ['no-function.mjs', /has no default export that is a function/],
    ['named-only.mjs', /has no default export that is a function/],
  ])('refuses %s with a usage error', async (name, reason) => {
    const err = (await loadCallback(path.join(FIXTURES, name)).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'EVLOG_ERR_CALLBACK', exitCode: 2 });
    expect(err.message).toMatch(reason);
    expect(err.message.split('\n')).toHaveLength(1);
  });

  it('resolves relative paths against the working directory', async () => {
    expect(typeof (await loadCallback('fixtures/callbacks/record.mjs', path.resolve(FIXTURES, '../..')))).toBe('function');
  });
});

describe('highlighting matches', () => {
  it('marks every match of every pattern once, overlaps merged, case as the filter sees it', () => {
    const mark = (t: string) => `\x1b[01;31m\x1b[K${t}\x1b[m\x1b[K`;
    expect(makeHighlighter(['a+', 'b'])('xaabyab')).toBe(`x${mark('aa')}${mark('b')}y${mark('a')}${mark('b')}`);
    expect(makeHighlighter(['abc', 'bcd'])('abcde')).toBe(`${mark('abc')}${mark('d')}e`);
    expect(makeHighlighter(['x*'])('abc')).toBe('abc');
    expect(makeHighlighter(['CLICK'], true)('s1:click')).toBe(`s1:${mark('click')}`);
  });

  it('colours on a terminal only, unless told; NO_COLOR turns auto off', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    expect(useColor('auto', tty, {})).toBe(true);
    expect(useColor('auto', tty, { NO_COLOR: '1' })).toBe(false);
    expect(useColor('auto', tty, { NO_COLOR: '' })).toBe(true);
    expect(useColor('auto', tty, { TERM: 'dumb' })).toBe(false);
    expect(useColor('always', tty, { TERM: 'dumb' })).toBe(true);
    expect(useColor('auto', new PassThrough(), {})).toBe(false);
    expect(useColor('always', new PassThrough(), { NO_COLOR: '1' })).toBe(true);
    expect(useColor('never', tty, {})).toBe(false);
  });
});
