import { describe, expect, it } from 'vitest';
import { negotiateHttp } from '../../../src/server/http-stream.js';
import { BadRequest, parseStreamQuery } from '../../../src/server/query.js';
import { negotiateWs } from '../../../src/server/ws-stream.js';

const isId = (id: string): boolean => id.startsWith('id-');
const http = (query: string, headers = {}) => parseStreamQuery(new URL(`http://h/stream?${query}`), headers, negotiateHttp, isId);
const ws = (query: string) => parseStreamQuery(new URL(`http://h/ws?${query}`), {}, negotiateWs, isId);

describe('the query of /stream and /ws', () => {
  it('picks the encoding from format=, else Accept, else text; /ws has its own', () => {
    expect(http('').encoding).toBe('text');
    expect(http('', { accept: 'text/event-stream' }).encoding).toBe('sse');
    expect(http('', { accept: 'application/x-ndjson' }).encoding).toBe('ndjson');
    expect(http('format=ndjson', { accept: 'text/event-stream' }).encoding).toBe('ndjson');
    expect(http('format=sse&batch=1').encoding).toBe('sse-batch');
    expect(ws('').encoding).toBe('ws-ndjson');
    expect(ws('format=text').encoding).toBe('ws-text');
  });

  it('starts new, at a tail, at the start or after an id the source knows; Last-Event-ID wins', () => {
    expect(http('').startAt).toEqual({ kind: 'new' });
    expect(http('tail=5').startAt).toEqual({ kind: 'tail', lines: 5 });
    expect(http('from=start&tail=5').startAt).toEqual({ kind: 'start' });
    expect(http('from=id-1').startAt).toEqual({ kind: 'after', id: 'id-1' });
    expect(http('from=id-1', { 'last-event-id': 'id-2' }).startAt).toEqual({ kind: 'after', id: 'id-2' });
  });

  it('compiles match= with ignore_case=, and ignores invert= without a match', () => {
    const q = http('match=a.c&ignore_case=1&invert=1');
    expect(q.match!.test('ABC')).toBe(true);
    expect(q.invert).toBe(true);
    expect(http('invert=1')).toMatchObject({ match: undefined, invert: false });
  });

  it.each([
    ['format=xml', /^format: expected text, ndjson or sse, got 'xml'$/],
    ['format=sse&batch=yes', /^batch: expected 1 or 0/],
    ['format=ndjson&batch=1', /^batch: only with format=sse/],
    ['tail=-1', /^tail: expected a whole number >= 0/],
    ['from=nope', /^from: 'nope' is not an id from this server \(or 'start'\)$/],
    ['match=(', /^match: /],
  ])('refuses %s with one line that names the parameter', (query, message) => {
    expect(() => http(query)).toThrow(BadRequest);
    expect(() => http(query)).toThrow(message);
  });

  it('refuses what only /stream speaks on /ws', () => {
    expect(() => ws('format=sse')).toThrow(/^format: expected text or ndjson, got 'sse'$/);
    expect(() => ws('batch=1')).toThrow(/^batch: only with format=sse/);
  });
});
