import { describe, expect, it } from 'vitest';
import { ChunkCache } from '../../../../src/sources/file/chunk-cache.js';
import { generationOf } from '../../../helpers/generation.js';

describe('the shared chunk cache', () => {
  it('reads once for every reader asking for the same bytes, and shares their memo', async () => {
    const { gen, bytesRead } = await generationOf('0123456789'.repeat(10));
    const cache = new ChunkCache();
    const [a, b] = await Promise.all([cache.read(gen, 10, 50), cache.read(gen, 10, 50)]);
    expect(b).toBe(a);
    expect(a.buf.toString()).toBe('0123456789'.repeat(5));
    expect(bytesRead()).toBe(50);
  });

  it('serves fewer bytes from an entry with a memo of their own, and reads again for more', async () => {
    const { gen, bytesRead } = await generationOf('x'.repeat(100));
    const cache = new ChunkCache();
    const whole = await cache.read(gen, 0, 60);
    whole.memo.set('k', 1);
    const part = await cache.read(gen, 0, 40);
    expect(part.buf.length).toBe(40);
    expect(part.memo.size).toBe(0);
    expect(bytesRead()).toBe(60);
    expect((await cache.read(gen, 0, 80)).buf.length).toBe(80);
    expect(bytesRead()).toBe(140);
  });

  it('never serves bytes from before a truncation', async () => {
    const { gen, bytesRead } = await generationOf('y'.repeat(100));
    const cache = new ChunkCache();
    await cache.read(gen, 0, 50);
    gen.truncated(100);
    await cache.read(gen, 0, 50);
    expect(bytesRead()).toBe(100);
  });

  it('keeps a bounded number of entries, oldest out first', async () => {
    const { gen, bytesRead } = await generationOf('z'.repeat(1000));
    const cache = new ChunkCache();
    for (let offset = 0; offset < 40; offset++) await cache.read(gen, offset, 10);
    expect(bytesRead()).toBe(400);
    await cache.read(gen, 39, 10);
    expect(bytesRead()).toBe(400);
    await cache.read(gen, 0, 10);
    expect(bytesRead()).toBe(410);
  });
});
