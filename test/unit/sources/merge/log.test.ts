import { appendFile, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MergeLog } from '../../../../src/sources/merge/log.js';
import { decodeMergedId, encodeMergedId } from '../../../../src/sources/merge/id.js';
import { tmpDir } from '../../../helpers/tmp.js';

const segments = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((f) => f.startsWith('seg-')).sort();

describe('the interleave index', () => {
  it('reads back what it wrote, with the same epoch, numbering and channel ends', async () => {
    const dir = await tmpDir();
    const log = new MergeLog(dir, 1 << 20);
    log.append('a.log', 2, 10, 'A1');
    log.append('b.log', 1, 4, 'B1');
    log.append('a.log', 3, 9, 'A2');
    log.close();
    const again = new MergeLog(dir, 1 << 20);
    expect(again.epoch).toBe(log.epoch);
    expect([again.first, again.end, again.total]).toEqual([0, 3, 23]);
    expect(again.at(2)).toMatchObject({ lines: 3, bytes: 9, start: 'A1', end: 'A2', total: 23 });
    expect(again.channelName(again.at(1)!.channel)).toBe('b.log');
    expect([again.lastEnd('a.log'), again.lastEnd('b.log'), again.lastEnd('c.log')]).toEqual(['A2', 'B1', undefined]);
    again.close();
  });

  it('drops a half-written last entry left by a crash, and goes on after the last whole one', async () => {
    const dir = await tmpDir();
    const log = new MergeLog(dir, 1 << 20);
    log.append('a.log', 1, 5, 'A1');
    log.close();
    const [seg] = await segments(dir);
    await appendFile(path.join(dir, seg!), '0 1 5 = A');
    const again = new MergeLog(dir, 1 << 20);
    expect(again.end).toBe(1);
    again.append('a.log', 1, 5, 'A2');
    again.close();
    expect(new MergeLog(dir, 1 << 20).at(1)).toMatchObject({ start: 'A1', end: 'A2' });
  });

  it('keeps about its byte bound, dropping the oldest segments, and still knows every channel end after a restart', async () => {
    const dir = await tmpDir();
    const log = new MergeLog(dir, 8192);
    log.append('quiet.log', 1, 1, 'Q1');
    for (let i = 0; i < 2000; i++) log.append('busy.log', 1, 10, `B${i}`);
    const kept = await segments(dir);
    let bytes = 0;
    for (const f of kept) bytes += (await readFile(path.join(dir, f))).length;
    expect(bytes).toBeLessThanOrEqual(8192 + 1024);
    expect(log.first).toBeGreaterThan(1000);
    expect(log.at(log.first - 1)).toBeUndefined();
    expect(log.at(log.first)).toMatchObject({ end: `B${log.first - 1}` });
    log.close();
    const again = new MergeLog(dir, 8192);
    expect([again.first, again.end]).toEqual([log.first, log.end]);
    // Its only entry is long gone, yet its head reader must resume after it, not from the start.
    expect(again.lastEnd('quiet.log')).toBe('Q1');
    expect(again.at(again.first)!.start).toBe(`B${again.first - 2}`);
    again.close();
  });

  it('starts a new epoch when its state is gone, so ids of the old one are told apart', async () => {
    const dir = await tmpDir();
    const log = new MergeLog(dir, 1 << 20);
    log.append('a.log', 1, 5, 'A1');
    log.close();
    await rm(path.join(dir, 'state.json'));
    const fresh = new MergeLog(dir, 1 << 20);
    expect(fresh.epoch).not.toBe(log.epoch);
    expect(fresh.end).toBe(0);
    expect(fresh.lastEnd('a.log')).toBeUndefined();
    fresh.close();
  });
});

describe('merged ids', () => {
  it('round-trip, and refuse anything else', () => {
    const p = { epoch: 'k3x9', entry: 36 ** 5, bytes: 1234 };
    expect(decodeMergedId(encodeMergedId(p))).toEqual(p);
    for (const bad of ['m.k3x9.1', 'm.K3.1.2', 'x.k.1.2', 'm.k.1.2.3', `m.k.${'z'.repeat(12)}.1`, '2.1.a-b-c']) expect(decodeMergedId(bad)).toBeUndefined();
  });
});
