import { appendFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Drain } from '../../../../src/sources/file/drain.js';
import { generationOf } from '../../../helpers/generation.js';

describe('Drain', () => {
  it('gives up a renamed file nobody writes before one a writer still holds, however quiet that one looks', async () => {
    const held = await generationOf('s:1\n');
    const empty1 = await generationOf('');
    const empty2 = await generationOf('');
    const drain = new Drain(() => undefined);
    try {
      drain.add(held.gen);
      // The app that missed its reopen signal writes once more to the file it holds, then is starved:
      await appendFile(held.file, 's:2\n');
      drain.look();
      expect(held.gen.size).toBe(8);
      // ...while `create` makes new files that are renamed in turn, later than its last write.
      drain.add(empty1.gen);
      drain.add(empty2.gen);
      expect(drain.size).toBe(2);
      expect(held.gen.final).toBeFalsy();
      expect(empty1.gen.final).toBe(true);
      // Still drained: what it writes next is read.
      await appendFile(held.file, 's:3\n');
      drain.look();
      expect(held.gen.size).toBe(12);
    } finally {
      drain.close();
    }
  });

  it('gives up a file that has not grown since its rename first, even the one renamed last', async () => {
    const [a, b, c] = await Promise.all([generationOf('x\n'), generationOf('y\n'), generationOf('z\n')]);
    const drain = new Drain(() => undefined);
    try {
      drain.add(a.gen);
      drain.add(b.gen);
      await appendFile(a.file, 'x\n');
      await appendFile(b.file, 'y\n');
      drain.look();
      await appendFile(b.file, 'y\n');
      drain.look();
      drain.add(c.gen);
      // c has not grown: it goes first even though it was renamed last.
      expect(c.gen.final).toBe(true);
      expect(a.gen.final).toBeFalsy();
      expect(b.gen.final).toBeFalsy();
    } finally {
      drain.close();
    }
  });
});
