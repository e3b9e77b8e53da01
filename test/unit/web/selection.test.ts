import { describe, expect, it } from 'vitest';
import { channelSelector } from '../../../src/sources/channels.js';
import { fileTest, readSelection, writeSelection } from '../../../src/web/selection.js';

const PATTERNS = [
  'a.log',
  '*.log',
  'logs/*.log',
  'logs/**/*.log',
  '**/*.log',
  '**/a.log',
  'logs/**',
  '{a,b}.log',
  'logs/{a,x/*}.log',
  'logs/[ab].log',
  'a?.log',
  'a+b(1).log',
  'logs/*/b.log',
];
const NAMES = [
  'a.log',
  'b.log',
  'ab.log',
  'ba.log',
  'a+b(1).log',
  'a.log.1',
  '.hidden.log',
  'logs/a.log',
  'logs/b.log',
  'logs/c.log',
  'logs/.x.log',
  'logs/x/a.log',
  'logs/x/b.log',
  'logs/x/y/b.log',
  'other/logs/a.log',
  '/var/log/a.log',
];

describe("the page's file selection", () => {
  it('matches names as the server picks channels (so narrowing hides exactly what the server stops sending)', () => {
    for (const pattern of PATTERNS) {
      const page = fileTest([pattern]);
      const server = channelSelector([pattern]);
      for (const name of NAMES) expect(page(name), `${pattern} on ${name}`).toBe(server(name));
    }
  });

  it('takes every file with no selection, and lines of no file (a server of one file) whatever it is', () => {
    expect(fileTest([])('anything.log')).toBe(true);
    expect(fileTest(['a.log'])(undefined)).toBe(true);
    expect(fileTest(['a.log', 'b.log'])('c.log')).toBe(false);
  });

  it('reads and writes file= in the page URL, keeping the other settings', () => {
    const url = new URL('http://127.0.0.1:8001/?match=x&file=a.log&file=&file=logs%2F*.log&file=a.log');
    expect(readSelection(url)).toEqual(['a.log', 'logs/*.log']);
    const next = writeSelection(url, ['b.log', 'c d.log']);
    expect(next.searchParams.getAll('file')).toEqual(['b.log', 'c d.log']);
    expect(next.searchParams.get('match')).toBe('x');
    expect(writeSelection(next, []).search).toBe('?match=x');
  });
});
