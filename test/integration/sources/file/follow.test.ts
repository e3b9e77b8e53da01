import { appendFile, mkdir, open, rename, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { follow, subscribe } from '../../../helpers/follow.js';
import { appendLines, expectSequence, numbered } from '../../../helpers/lines.js';
import { tmpDir, tmpLog } from '../../../helpers/tmp.js';

const logFile = tmpLog;

describe('following one file', () => {
  it('starts at the end by default and delivers only new lines', async () => {
    const file = await logFile('old:1\nold:2\n');
    const sub = subscribe(await follow(file));
    await appendLines(file, 0, 3);
    await sub.waitFor(3);
    expect(sub.lines()).toEqual(['seq:0', 'seq:1', 'seq:2']);
  });

  it('holds a line until its newline arrives, however it is split', async () => {
    const file = await logFile();
    const sub = subscribe(await follow(file));
    const text = 's1:impres\u00e9sion\r\n';
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i++) {
      await appendFile(file, bytes.subarray(i, i + 1));
      if (i < bytes.length - 1) expect(sub.records).toHaveLength(0);
    }
    await sub.waitFor(1);
    expect(sub.records[0]).toMatchObject({ line: 's1:impres\u00e9sion', session: 's1', event: 'impres\u00e9sion' });
  });

  it('does not start mid-line when the file ends with a partial line', async () => {
    const file = await logFile('done:1\nhalf');
    const sub = subscribe(await follow(file));
    await appendFile(file, '-line\nnext:2\n');
    await sub.waitFor(2);
    expect(sub.lines()).toEqual(['half-line', 'next:2']);
  });

  it('cuts a long line at the limit, flags it, and skips the rest without holding it', async () => {
    const file = await logFile();
    // A small read size forces the skip to walk many chunks.
    const sub = subscribe(await follow(file), { kind: 'new' }, 100, 64);
    await appendFile(file, `${'x'.repeat(5000)}\nshort:1\n`);
    await sub.waitFor(2);
    expect(sub.records[0]).toMatchObject({ line: 'x'.repeat(100), truncated: true });
    expect(sub.records[1]).toMatchObject({ line: 'short:1' });
    expect(sub.records[1]!.truncated).toBeUndefined();
  });

  it('delivers lines longer than one read whole when they are under the limit', async () => {
    const file = await logFile();
    const sub = subscribe(await follow(file), { kind: 'new' }, 1024 * 1024, 1024);
    const long = 'y'.repeat(300_000);
    await appendFile(file, `${long}\n`);
    await sub.waitFor(1);
    expect(sub.records[0]!.line).toBe(long);
    expect(sub.records[0]!.truncated).toBeUndefined();
  });

  it('survives invalid UTF-8 with replacement characters', async () => {
    const file = await logFile();
    const sub = subscribe(await follow(file));
    await appendFile(file, Buffer.from([0x73, 0x3a, 0xff, 0xfe, 0x0a, 0x6f, 0x6b, 0x0a]));
    await sub.waitFor(2);
    expect(sub.lines()).toEqual(['s:\ufffd\ufffd', 'ok']);
  });

  it('notices appends through the watcher alone, with polling out of the picture', async () => {
    const file = await logFile();
    const sub = subscribe(await follow(file, 3_600_000));
    await appendLines(file, 0, 2);
    await sub.waitFor(2, 5_000);
    expect(sub.lines()).toEqual(['seq:0', 'seq:1']);
  });

  it('watches a directory created after the start, instead of polling it forever', async () => {
    const dir = path.join(await tmpDir(), 'later');
    const file = path.join(dir, 'event.log');
    const follower = await follow(file, 50);
    const sub = subscribe(follower);
    expect(follower.watching).toBe(false);
    await mkdir(dir);
    await writeFile(file, 'first:1\n');
    await sub.waitFor(1);
    expect(follower.watching).toBe(true);
  });

  it('goes on when its directory is removed and created again, with the other files there', async () => {
    const dir = path.join(await tmpDir(), 'logs');
    await mkdir(dir);
    const [a, b] = [path.join(dir, 'a.log'), path.join(dir, 'b.log')];
    await writeFile(a, '');
    await writeFile(b, '');
    // Two files share the directory's watcher: both must be woken again.
    const subs = [subscribe(await follow(a, 50)), subscribe(await follow(b, 50))];
    await appendLines(a, 0, 1);
    await appendLines(b, 0, 1);
    for (const sub of subs) await sub.waitFor(1);
    await rm(dir, { recursive: true });
    await mkdir(dir);
    await writeFile(a, numbered(1, 2));
    await writeFile(b, numbered(1, 2));
    for (const sub of subs) await sub.waitFor(3);
    for (const sub of subs) expectSequence(sub.lines(), 3);
  });

  it('waits for a missing file (and directory) and reads it from its first byte', async () => {
    const dir = path.join(await tmpDir(), 'later');
    const file = path.join(dir, 'event.log');
    const follower = await follow(file, 50);
    const sub = subscribe(follower);
    expect(follower.current).toBeUndefined();
    await mkdir(dir);
    await writeFile(file, numbered(0, 2));
    await sub.waitFor(2);
    expect(sub.lines()).toEqual(['seq:0', 'seq:1']);
  });

  it('resumes after an id, and reports a gap for an id of another file, beyond its end or inside a line', async () => {
    const file = await logFile(numbered(0, 5));
    const follower = await follow(file);
    const all = subscribe(follower, { kind: 'start' });
    await all.waitFor(5);
    const { decodeCursor } = await import('../../../../src/sources/file/cursor.js');
    const after2 = decodeCursor(all.records[2]!.id)!;
    const resumed = subscribe(follower, { kind: 'after', cursor: after2 });
    await resumed.waitFor(2);
    expect(resumed.lines()).toEqual(['seq:3', 'seq:4']);
    const stale = subscribe(follower, { kind: 'after', cursor: { ...after2, ino: after2.ino + 1 } });
    const beyond = subscribe(follower, { kind: 'after', cursor: { ...after2, offset: 10_000 } });
    const midLine = subscribe(follower, { kind: 'after', cursor: { ...after2, offset: after2.offset - 1 } });
    await Promise.all([stale.waitFor(5), beyond.waitFor(5), midLine.waitFor(5)]);
    for (const s of [stale, beyond, midLine]) expect(s.lines()[0]).toBe('seq:0');
    // Each says why it could not resume exactly, before the first line.
    expect(stale.records[0]!.gap).toEqual({ reason: 'rotated file gone', bytes: null });
    expect(beyond.records[0]!.gap).toEqual({ reason: 'id beyond the end of its file', bytes: null });
    expect(midLine.records[0]!.gap).toEqual({ reason: 'truncated', bytes: null });
    expect(resumed.gaps()).toEqual([]);
  });

  it('starts with the last n lines for tail=n, and with all of them when there are fewer', async () => {
    const file = await logFile(numbered(0, 10));
    const follower = await follow(file);
    const three = subscribe(follower, { kind: 'tail', lines: 3 });
    const many = subscribe(follower, { kind: 'tail', lines: 1000 });
    await three.waitFor(3);
    await many.waitFor(10);
    expect(three.lines()).toEqual(['seq:7', 'seq:8', 'seq:9']);
    expectSequence(many.lines(), 10);
  });

  it('reads only the tail of a 5 GB file for tail=n', async () => {
    const file = await logFile();
    // Sparse: 5 GB of size without 5 GB of disk, and the lines at its end.
    await truncate(file, 5 * 1024 ** 3);
    await appendFile(file, numbered(0, 3));
    const follower = await follow(file);
    const sub = subscribe(follower, { kind: 'tail', lines: 2 });
    await sub.waitFor(2);
    expect(sub.lines()).toEqual(['seq:1', 'seq:2']);
    expect(follower.bytesRead).toBeLessThan(1024 * 1024);
  });
});

describe('rotation, truncation and replacement', () => {
  it('drains the old file after a rename, including lines written just before it, then reads the new one', async () => {
    const file = await logFile();
    const follower = await follow(file);
    const sub = subscribe(follower);
    await appendLines(file, 0, 3);
    await rename(file, `${file}.1`);
    await appendLines(`${file}.1`, 3, 2); // a writer still holding the old file
    await writeFile(file, numbered(5, 3));
    await sub.waitFor(8);
    expectSequence(sub.lines(), 8);
    expect(follower.rotations).toBe(1);
  });

  it('restarts at 0 after copy-truncate and counts the truncation', async () => {
    const file = await logFile();
    const follower = await follow(file);
    const sub = subscribe(follower);
    await appendLines(file, 0, 5);
    await sub.waitFor(5);
    await truncate(file, 0);
    await expect.poll(() => follower.truncations).toBe(1);
    await appendLines(file, 5, 2);
    await sub.waitFor(7);
    expectSequence(sub.lines(), 7);
  });

  it('follows delete and recreate', async () => {
    const file = await logFile();
    const follower = await follow(file);
    const sub = subscribe(follower);
    await appendLines(file, 0, 2);
    await sub.waitFor(2);
    await rm(file);
    await writeFile(file, numbered(2, 2));
    await sub.waitFor(4);
    expectSequence(sub.lines(), 4);
  });

  it('notices a new inode of the same size at the path', async () => {
    const file = await logFile();
    const follower = await follow(file);
    const sub = subscribe(follower);
    await appendFile(file, 'aaa:1\n');
    await sub.waitFor(1);
    await writeFile(`${file}.new`, 'bbb:2\n');
    await rename(`${file}.new`, file);
    await sub.waitFor(2);
    expect(sub.lines()).toEqual(['aaa:1', 'bbb:2']);
  });

  it('delivers the unterminated last line of a rotated file once it is quiet', async () => {
    const file = await logFile();
    const sub = subscribe(await follow(file, 1000, 200));
    await appendFile(file, 'a:1\ncut-off');
    await rename(file, `${file}.1`);
    await writeFile(file, 'b:2\n');
    await sub.waitFor(3);
    // The new file streams at once; the rotated file's last line waits until nothing more can come.
    expect(sub.lines()).toEqual(['a:1', 'b:2', 'cut-off']);
  });

  it('loses, duplicates and reorders nothing across 50 renames with a writer running', async () => {
    const file = await logFile();
    const follower = await follow(file);
    const sub = subscribe(follower);
    let written = 0;
    let stop = false;
    // The writer appends by name, the way `echo >> file` does: each batch lands in whatever file
    // is at the path at that moment, including one renamed a moment later. It runs until the
    // last rotation is done.
    const writer = (async () => {
      while (!stop) {
        const handle = await open(file, 'a');
        await handle.write(numbered(written, 10));
        await handle.close();
        written += 10;
      }
    })();
    for (let i = 1; i <= 50; i++) {
      // Rotate as soon as the follower has the current file open and the writer has added to it:
      // the tightest loop in which following by name is possible at all.
      const opened = follower.current!.ino;
      const before = written;
      await expect.poll(() => written > before && follower.current?.ino === opened, { timeout: 10_000, interval: 1 }).toBe(true);
      await rename(file, `${file}.${i}`);
      await writeFile(file, '', { flag: 'a' });
      await expect.poll(() => follower.current?.ino !== opened, { timeout: 10_000, interval: 1 }).toBe(true);
    }
    stop = true;
    await writer;
    await sub.waitFor(written, 20_000);
    expectSequence(sub.lines(), written);
    expect(follower.rotations).toBe(50);
  });
});
