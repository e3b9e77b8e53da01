import { truncate, appendFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { atLineStart, tailStart } from '../../../../src/sources/file/tail.js';
import { generationOf } from '../../../helpers/generation.js';

describe('where the last n lines start', () => {
  it('counts complete lines back from the end', async () => {
    const { gen } = await generationOf('a\nbb\nccc\n');
    expect(await tailStart(gen, gen.size, 0)).toBe(9);
    expect(await tailStart(gen, gen.size, 1)).toBe(5);
    expect(await tailStart(gen, gen.size, 2)).toBe(2);
    expect(await tailStart(gen, gen.size, 3)).toBe(0);
    expect(await tailStart(gen, gen.size, 100)).toBe(0);
  });

  it('leaves an unfinished last line out of the count', async () => {
    const { gen } = await generationOf('a\nbb\ncc');
    expect(await tailStart(gen, gen.size, 1)).toBe(2);
  });

  it('finds lines across many slices, and before a hole of zeros', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const { gen } = await generationOf(lines);
    const at = await tailStart(gen, gen.size, 15_000);
    expect(lines.slice(at).split('\n')[0]).toBe('line 5000');

    const sparse = await generationOf('first\n');
    await truncate(sparse.file, 20 * 1024 * 1024);
    await appendFile(sparse.file, '\nlast\n');
    const size = 20 * 1024 * 1024 + 6;
    expect(await tailStart(sparse.gen, size, 1)).toBe(size - 5);
    // The zeros and the newline after them are one line.
    expect(await tailStart(sparse.gen, size, 2)).toBe(6);
    expect(await tailStart(sparse.gen, size, 3)).toBe(0);
  });

  it('tells whether an offset starts a line', async () => {
    const { gen } = await generationOf('ab\ncd\n');
    expect(await atLineStart(gen, 0)).toBe(true);
    expect(await atLineStart(gen, 3)).toBe(true);
    expect(await atLineStart(gen, 4)).toBe(false);
  });
});
