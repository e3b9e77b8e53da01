import { describe, expect, it } from 'vitest';
import { parseEventLine, recordJson } from '../../../src/wire/record.js';

describe('parseEventLine', () => {
  it('splits text lines at the first colon', () => {
    expect(parseEventLine('s-3f9a21c0:impression')).toEqual({ session: 's-3f9a21c0', event: 'impression' });
    expect(parseEventLine('s1:a:b')).toEqual({ session: 's1', event: 'a:b' });
  });

  it('leaves lines without a session or an event unparsed', () => {
    for (const line of ['', 'plain', ':impression', 's1:']) expect(parseEventLine(line), line).toBeUndefined();
  });

  it('leaves ordinary log lines plain: an event holds no whitespace', () => {
    for (const line of [
      '2026-12-01 13:10:21 status half-configured man-db:amd64 2.11.2-2',
      'ERROR: disk full',
      '2026-12-01T13:10:21Z level=info msg=ok:done',
      's1:click now',
      's1\t:click',
      's1:click\u00a0',
      '{"level":"info","message":"ERROR: disk full"}',
    ]) {
      expect(parseEventLine(line), line).toBeUndefined();
    }
    expect(parseEventLine('2026-12-01T13:10:21Z:boot')).toEqual({ session: '2026-12-01T13', event: '10:21Z:boot' });
  });

  it('reads winston JSON lines by their fields, else by their message', () => {
    expect(parseEventLine('{"level":"info","session":"s1","event":"click","message":"x"}')).toEqual({ session: 's1', event: 'click' });
    expect(parseEventLine('{"level":"info","message":"s2:buy"}')).toEqual({ session: 's2', event: 'buy' });
    expect(parseEventLine('{"level":"info","message":"nothing"}')).toBeUndefined();
    expect(parseEventLine('{not json')).toBeUndefined();
    expect(parseEventLine('{s:x')).toEqual({ session: '{s', event: 'x' });
    expect(parseEventLine('[1,2]')).toBeUndefined();
  });

  it('takes a JSON line\'s fields only when they are an event by the same rule (non-empty, no whitespace), else its message', () => {
    for (const line of ['{"session":"a b","event":"c"}', '{"session":"","event":"x"}', '{"session":"s","event":""}', '{"session":"s\\nx","event":"e"}', '{"session":"s","event":"e\u00a0"}']) {
      expect(parseEventLine(line), line).toBeUndefined();
    }
    expect(parseEventLine('{"session":"","event":"x","message":"s9:buy"}')).toEqual({ session: 's9', event: 'buy' });
  });

  it('sends a lone surrogate of a JSON line\'s field escaped, so it arrives as JSON.parse of the line gives it', () => {
    const line = '{"session":"\\ud800-c1","event":"e\\udfff"}';
    const sent = JSON.parse(Buffer.from(recordJson('1', 'f', line, false)).toString('utf8')) as Record<string, string>;
    const parsed = JSON.parse(line) as Record<string, string>;
    expect([sent['session'], sent['event']]).toEqual([parsed['session'], parsed['event']]);
    expect(recordJson('1', 'f', 'caf\u00e9 \u{1f600}', false)).toBe('{"id":"1","file":"f","line":"caf\u00e9 \u{1f600}"}');
  });
});
