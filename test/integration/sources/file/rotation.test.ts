import { appendFileSync, closeSync, copyFileSync, ftruncateSync, openSync, readdirSync, readlinkSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineReader, type LineBatch } from '../../../../src/sources/file/reader.js';
import { follow, subscribe, subscribeSeqs } from '../../../helpers/follow.js';
import { expectEachOnce, expectSequence, numbered } from '../../../helpers/lines.js';
import { tmpLog } from '../../../helpers/tmp.js';
import { startWriter } from '../../../helpers/writer.js';

/** Descriptors of this process open on files in `dir`. */
function descriptorsIn(dir: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${dir}/`)) n++;
    } catch {
      // closed while we looked
    }
  }
  return n;
}

const NO_POLL = 3_600_000;

describe.each([
  ['flat out', 0],
  ['at 300 lines/s', 300],
])('200 renames in a tight loop, a writer %s', (_, rate) => {
  it.each(['reopen', 'hold'] as const)('loses, duplicates, reorders and splits nothing (writer: %s)', async (mode) => {
    const file = await tmpLog();
    // No safety poll: the watchers alone must find every new file.
    const follower = await follow(file, NO_POLL);
    const sub = subscribeSeqs(follower, { kind: 'start' });
    const writer = await startWriter(file, mode, rate);
    const rotated: string[] = [];
    for (let i = 1; i <= 200; i++) {
      // Rotate as soon as the follower has the file open and the writer has added to it.
      const opened = follower.current!.ino;
      await expect.poll(() => follower.current?.ino === opened && follower.current.size > 0, { interval: 1 }).toBe(true);
      const to = `${file}.${i}`;
      await rename(file, to);
      rotated.push(to);
      // `reopen` creates the file with its next line; `hold` goes on in the renamed one until told.
      if (mode === "hold") writer.reopen();
      await expect.poll(() => follower.current !== undefined && follower.current.ino !== opened, { interval: 1 }).toBe(true);
    }
    const total = await writer.stop();
    await sub.waitFor(total, 30_000);
    await expectEachOnce(sub.seqs, total, [...rotated, file]);
    expect(follower.rotations).toBe(200);
    expect(follower.gaps).toBe(0);
    // The file at the path and at most two rotated files still drained.
    expect(descriptorsIn(path.dirname(file))).toBeLessThanOrEqual(3);
  });
});

describe('a file that came and went between two looks', () => {
  it('is found among the rotated files and read between the two it came between', async () => {
    const file = await tmpLog();
    const follower = await follow(file, NO_POLL);
    const sub = subscribeSeqs(follower, { kind: 'start' });
    appendFileSync(file, numbered(0, 10));
    await sub.waitFor(10);
    // All at once, so the follower cannot look in between: the second file is never at the path
    // when it looks. A copy of a followed file (copy-truncate's) is not read again.
    copyFileSync(file, `${file}.copy`);
    renameSync(file, `${file}.1`);
    writeFileSync(file, numbered(10, 10));
    renameSync(file, `${file}.2`);
    writeFileSync(file, numbered(20, 10));
    await sub.waitFor(30);
    await expectEachOnce(sub.seqs, 30, [`${file}.1`, `${file}.2`, file]);
    expect(follower.rotations).toBe(2);
  });
});

describe('a writer that goes on in the renamed file', () => {
  it('loses nothing of what it writes there before it reopens (logrotate create)', async () => {
    const file = await tmpLog();
    const follower = await follow(file, NO_POLL);
    const sub = subscribeSeqs(follower, { kind: 'start' });
    const writer = await startWriter(file, 'hold', 2000);
    await expect.poll(async () => (await stat(file)).size).toBeGreaterThan(1000);
    await rename(file, `${file}.1`);
    await writeFile(file, '');
    await expect.poll(() => follower.rotations).toBe(1);
    // The app keeps writing to its open descriptor for a while before the signal reaches it.
    const atRotation = (await stat(`${file}.1`)).size;
    await expect.poll(async () => (await stat(`${file}.1`)).size).toBeGreaterThan(atRotation + 2000);
    writer.reopen();
    await expect.poll(async () => (await stat(file)).size).toBeGreaterThan(2000);
    const total = await writer.stop();
    await sub.waitFor(total);
    await expectEachOnce(sub.seqs, total, [`${file}.1`, file]);
  });

  it('loses nothing when the file rotates again before the app reopens (the file it writes is the oldest)', async () => {
    const file = await tmpLog();
    const follower = await follow(file, NO_POLL);
    const sub = subscribeSeqs(follower, { kind: 'start' });
    const writer = await startWriter(file, 'hold', 2000);
    await expect.poll(async () => (await stat(file)).size).toBeGreaterThan(1000);
    // logrotate `create` three times, numbering as it does; the app never gets its signal.
    for (let i = 1; i <= 3; i++) {
      for (let j = i - 1; j >= 1; j--) await rename(`${file}.${j}`, `${file}.${j + 1}`);
      await rename(file, `${file}.1`);
      await writeFile(file, '');
      await expect.poll(() => follower.rotations).toBe(i);
    }
    const written = `${file}.3`;
    const atLast = (await stat(written)).size;
    await expect.poll(async () => (await stat(written)).size).toBeGreaterThan(atLast + 2000);
    const total = await writer.stop();
    await sub.waitFor(total);
    await expectEachOnce(sub.seqs, total, [written]);
    expect(follower.gaps).toBe(0);
  });
});

/** Truncates the file and writes `text` at its start, with nothing else running in between. */
function truncateAndWrite(file: string, text: string): void {
  const fd = openSync(file, 'r+');
  ftruncateSync(fd, 0);
  writeSync(fd, text, 0);
  closeSync(fd);
}

const fixed = (from: number, n: number): string => numbered(from, n).replace(/seq:(\d+)/g, (_, d: string) => `seq:${d.padStart(5, '0')}`);

describe('truncation', () => {
  it('is seen when the file regrew past its old size before anyone looked (lines of one length)', async () => {
    // Every 10th byte is a newline before and after, so only the first line tells.
    const file = await tmpLog(fixed(0, 1000));
    const follower = await follow(file, NO_POLL);
    const sub = subscribe(follower, { kind: 'start' });
    await sub.waitFor(1000);
    truncateAndWrite(file, fixed(1000, 2000));
    await sub.waitFor(3000);
    expectSequence(sub.lines().map((l) => l.replace(/seq:0*(\d)/, 'seq:$1')), 3000);
    expect(follower.truncations).toBe(1);
    expect(sub.gaps()).toEqual([]);
  });

  it('is seen when the rewritten file starts like the old one, by the byte before the offset', async () => {
    const header = '# app log v1\n';
    const file = await tmpLog(header + numbered(0, 1000));
    const follower = await follow(file, NO_POLL);
    const sub = subscribe(follower, { kind: 'start' });
    await sub.waitFor(1001);
    truncateAndWrite(file, header + numbered(1000, 2000));
    await sub.waitFor(3002);
    expectSequence(sub.lines().filter((l) => l !== header.trim()), 3000);
    expect(follower.truncations).toBe(1);
  });

  it('reports the bytes it took before a reader read them, never a fragment of a line', async () => {
    const content = numbered(0, 1000);
    const file = await tmpLog(content);
    const follower = await follow(file, NO_POLL);
    const reader = new LineReader(follower, { kind: 'start' }, { maxLineBytes: 1024, readSize: 100 });
    const first = await reader.next();
    const readUpTo = first!.base + first!.buf.length;
    truncateAndWrite(file, numbered(5000, 2000));
    const batches: LineBatch[] = [];
    let lines: string[] = [];
    while (lines.length < 2000) {
      const batch = (await reader.next())!;
      batches.push(batch);
      if (!batch.gap) lines = lines.concat(batch.buf.toString().split('\n').filter(Boolean));
    }
    reader.close();
    expect(batches[0]!.gap).toEqual({ reason: 'truncated', bytes: Buffer.byteLength(content) - readUpTo, file });
    expect(lines).toEqual(numbered(5000, 2000).split('\n').filter(Boolean));
    expect(follower.gaps).toBe(1);
  });
});
