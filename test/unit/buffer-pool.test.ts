import { describe, expect, it } from 'vitest';
import { concatLeased, lease } from '../../src/buffer-pool.js';

describe('the buffer pool', () => {
  it('hands released memory to the next lease that fits, once, and never while it is held', () => {
    const first = lease(100_000);
    expect(first.buf.length).toBe(100_000);
    const held = lease(100_000);
    // Identity compared as a boolean: a failing toBe would print megabytes of buffer.
    const same = (x: Buffer, y: Buffer): boolean => x.buffer === y.buffer;
    expect(same(held.buf, first.buf)).toBe(false);
    first.release();
    // Releasing twice must not put the memory in the pool twice: two leases would share it.
    first.release();
    const a = lease(90_000);
    const b = lease(90_000);
    expect(same(a.buf, first.buf) !== same(b.buf, first.buf)).toBe(true);
    expect(same(a.buf, b.buf)).toBe(false);
    for (const l of [held, a, b]) l.release();
  });

  it('picks the smallest free buffer that fits, so small leases leave the large buffers free', () => {
    const large = lease(3_000_000);
    const small = lease(70_000);
    // Released last, so a plain stack would hand the large one out first.
    small.release();
    large.release();
    const next = lease(60_000);
    expect(next.buf.buffer.byteLength).toBeLessThan(1_000_000);
    const big = lease(2_000_000);
    expect(big.buf.buffer === large.buf.buffer).toBe(true);
    next.release();
    big.release();
  });

  it('joins parts into one leased buffer', () => {
    const joined = concatLeased([Buffer.from('ab'), Buffer.from(''), Buffer.from('cde')]);
    expect(joined.buf.toString()).toBe('abcde');
    joined.release();
  });
});
