import { describe, expect, it } from 'vitest';
import { parseEventLine } from '../../src/record.js';

describe('parseEventLine', () => {
  it('splits text lines at the first colon', () => {
    expect(parseEventLine('s-3f9a21c0:impression')).toEqual({ session: 's-3f9a21c0', event: 'impression' });
    expect(parseEventLine('s1:a:b')).toEqual({ session: 's1', event: 'a:b' });
  });

  it('leaves lines without a session or an event unparsed', () => {
    for (const line of ['', 'plain', ':impression', 's1:']) expect(parseEventLine(line), line).toBeUndefined();
  });

  it('reads winston JSON lines by their fields, else by their message', () => {
    expect(parseEventLine('{"level":"info","session":"s1","event":"click","message":"x"}')).toEqual({ session: 's1', event: 'click' });
    expect(parseEventLine('{"level":"info","message":"s2:buy"}')).toEqual({ session: 's2', event: 'buy' });
    expect(parseEventLine('{"level":"info","message":"nothing"}')).toBeUndefined();
    expect(parseEventLine('{not json')).toBeUndefined();
    expect(parseEventLine('{s:x')).toEqual({ session: '{s', event: 'x' });
    expect(parseEventLine('[1,2]')).toBeUndefined();
  });
});
