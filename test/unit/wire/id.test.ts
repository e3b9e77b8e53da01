import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../../src/sources/file/cursor.js';
import { isResumePoint, isSaneId } from '../../../src/wire/id.js';

describe('record ids as a client sees them (opaque)', () => {
  it('takes the ids every source writes, without reading them', () => {
    const fileId = encodeCursor({ dev: 2049, ino: 131, fp: 99, offset: 4096, older: [{ dev: 2049, ino: 130, fp: 7, offset: 10 }] });
    for (const id of [fileId, '1.a.b.c', '1700000000000-0', '1700000000000-12']) expect(isSaneId(id), id).toBe(true);
    expect(isResumePoint('start')).toBe(true);
  });

  it('refuses what no source writes: no digit, spaces, control bytes, escapes, too long', () => {
    for (const id of ['', 'garbage', 'start', '12 34', '1\n2', '\u0000\u0001\u00ff binary', '1%2F', '1/2', `${'1'.repeat(129)}`]) {
      expect(isSaneId(id), JSON.stringify(id)).toBe(false);
    }
    expect(isResumePoint('garbage')).toBe(false);
  });
});
