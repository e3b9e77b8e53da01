import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Channels } from '../../../src/sources/channels.js';
import { Discovery } from '../../../src/sources/discover.js';
import type { FileSource } from '../../../src/sources/file/index.js';
import type { SourceReader } from '../../../src/sources/source.js';
import { tmpDir } from '../../helpers/tmp.js';

const QUIET_MS = 200;
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

/** A discovery over `args` with every add and remove recorded, in order. */
async function discover(args: string[], rescanMs?: number, warnings: string[] = []) {
  const channels = new Channels();
  const events: string[] = [];
  channels.on('add', (c) => events.push(`+${c.name}`));
  channels.on('remove', (c) => events.push(`-${c.name}`));
  open.push(channels);
  const discovery = await Discovery.start(args, channels, { pollMs: 100, quietMs: QUIET_MS, rescanMs, onWarning: (m) => warnings.push(m) });
  open.push(discovery);
  return { channels, discovery, events, names: () => channels.list().map((c) => c.name) };
}

/** Every line a reader delivers until it has `n`. */
async function readLines(reader: SourceReader, n: number): Promise<string[]> {
  const lines: string[] = [];
  while (lines.length < n) {
    const batch = await reader.next();
    if (!batch) break;
    const text = batch.buf.toString('utf8');
    lines.push(...text.split('\n').filter((l) => l !== ''));
    batch.release();
  }
  return lines;
}

describe('discovering files for serve (paths and live globs)', () => {
  it('follows two paths and a glob\'s matches, in argument order, matches sorted', async () => {
    const dir = await tmpDir();
    await mkdir(path.join(dir, 'logs', 'deeper'), { recursive: true });
    for (const f of ['a.log', 'b.log', 'logs/y.log', 'logs/x.log', 'logs/notes.txt', 'logs/deeper/z.log']) await writeFile(path.join(dir, f), 'x:1\n');
    const { names } = await discover([path.join(dir, 'b.log'), path.join(dir, 'a.log'), path.join(dir, 'logs/*.log')]);
    expect(names()).toEqual(['b.log', 'a.log', 'logs/x.log', 'logs/y.log'].map((f) => path.join(dir, f)));
  });

  it('descends any depth with ** and picks up a directory created later', async () => {
    const dir = await tmpDir();
    await mkdir(path.join(dir, 'logs', 'one'), { recursive: true });
    await writeFile(path.join(dir, 'logs', 'one', 'a.log'), '');
    const { names } = await discover([path.join(dir, 'logs/**/*.log')]);
    expect(names()).toEqual([path.join(dir, 'logs/one/a.log')]);
    await mkdir(path.join(dir, 'logs', 'two', 'three'), { recursive: true });
    await writeFile(path.join(dir, 'logs', 'two', 'three', 'b.log'), 'b:1\n');
    await expect.poll(names).toContain(path.join(dir, 'logs/two/three/b.log'));
  });

  it('streams a file that comes to match from its first line', async () => {
    const dir = await tmpDir();
    const { channels, events } = await discover([path.join(dir, '*.log')]);
    expect(channels.size).toBe(0);
    const file = path.join(dir, 'late.log');
    await writeFile(file, 'late:1\nlate:2\n');
    await expect.poll(() => events).toEqual([`+${file}`]);
    const reader = channels.get(file)!.open({ kind: 'start' }, { maxLineBytes: 1024 });
    open.push(reader);
    expect(await readLines(reader, 2)).toEqual(['late:1', 'late:2']);
    // A file renamed into the glob's reach counts as well.
    await writeFile(path.join(dir, 'moved.tmp'), 'moved:1\n');
    await rename(path.join(dir, 'moved.tmp'), path.join(dir, 'moved.log'));
    await expect.poll(() => events).toEqual([`+${file}`, `+${path.join(dir, 'moved.log')}`]);
  });

  it('drops a deleted file only once its readers have read it out', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'gone.log');
    await writeFile(file, 'gone:1\ngone:2\n');
    await writeFile(path.join(dir, 'stays.log'), '');
    const { channels, events, names } = await discover([path.join(dir, '*.log')]);
    const reader = channels.get(file)!.open({ kind: 'start' }, { maxLineBytes: 1024 });
    open.push(reader);
    await rm(file);
    // Well past the quiet window: still there, since the reader has not read it.
    await sleep(QUIET_MS * 4);
    expect(names()).toContain(file);
    expect(await readLines(reader, 2)).toEqual(['gone:1', 'gone:2']);
    await expect.poll(names).toEqual([path.join(dir, 'stays.log')]);
    expect(events).toEqual([`+${file}`, `+${path.join(dir, 'stays.log')}`, `-${file}`]);
  });

  it('keeps a file that is renamed away and created again (a rotation), and never its rotated copies', async () => {
    const dir = await tmpDir();
    const api = path.join(dir, 'api.log');
    await writeFile(api, 'api:1\n');
    await writeFile(`${api}.1`, 'old:1\n');
    await writeFile(`${api}-20261130`, 'older:1\n');
    const { channels, events } = await discover([path.join(dir, '*')]);
    expect(events).toEqual([`+${api}`]);
    const source = channels.get(api) as FileSource;
    await rename(api, `${api}.2`);
    await writeFile(api, 'api:2\n');
    await expect.poll(() => source.follower.rotations).toBe(1);
    await writeFile(`${api}-20261201`, '');
    await writeFile(`${api}.3.gz`, '');
    // Events in one directory come in order: once this is added, the copies above were judged.
    const marker = path.join(dir, 'marker.log');
    await writeFile(marker, '');
    await expect.poll(() => events).toEqual([`+${api}`, `+${marker}`]);
    // Past the quiet window the rotated file is still the same channel.
    await sleep(QUIET_MS * 3);
    expect(channels.list().map((c) => c.name)).toEqual([api, marker]);
    expect(channels.get(api)).toBe(source);
  });

  it('drops the files of a directory that goes away', async () => {
    const dir = await tmpDir();
    await mkdir(path.join(dir, 'logs', 'sub'), { recursive: true });
    await writeFile(path.join(dir, 'logs', 'sub', 'a.log'), '');
    await writeFile(path.join(dir, 'logs', 'top.log'), '');
    const { names } = await discover([path.join(dir, 'logs/**/*.log')]);
    expect(names()).toHaveLength(2);
    await rm(path.join(dir, 'logs', 'sub'), { recursive: true });
    await expect.poll(names).toEqual([path.join(dir, 'logs/top.log')]);
  });

  it('waits for a base directory that does not exist yet, and for it to come back', async () => {
    const dir = await tmpDir();
    const warnings: string[] = [];
    // No safety re-scan within the test: the directory's creation alone must be noticed.
    const { names } = await discover([path.join(dir, 'later/sub/*.log')], 600_000, warnings);
    expect(warnings).toEqual([`${path.join(dir, 'later/sub/*.log')} matches no file yet; waiting for files to appear`]);
    // One level at a time, as an app might create them.
    await mkdir(path.join(dir, 'later'));
    await mkdir(path.join(dir, 'later', 'sub'));
    await writeFile(path.join(dir, 'later', 'sub', 'a.log'), '');
    await expect.poll(names).toEqual([path.join(dir, 'later/sub/a.log')]);
    // The base goes away with its files, and comes back with another.
    await rm(path.join(dir, 'later'), { recursive: true });
    await expect.poll(names).toEqual([]);
    await mkdir(path.join(dir, 'later', 'sub'), { recursive: true });
    await writeFile(path.join(dir, 'later', 'sub', 'b.log'), '');
    await expect.poll(names).toEqual([path.join(dir, 'later/sub/b.log')]);
  });

  it('reads no directory again when files are appended to', async () => {
    const dir = await tmpDir();
    const files = Array.from({ length: 20 }, (_, i) => path.join(dir, `f${String(i).padStart(2, '0')}.log`));
    for (const f of files) await writeFile(f, '');
    await writeFile(path.join(dir, 'other.txt'), '');
    // Safety re-scans far apart, so that none falls inside the test.
    const { channels, discovery } = await discover([path.join(dir, '*.log')], 600_000);
    expect(channels.size).toBe(20);
    const reads = discovery.dirReads;
    for (let round = 0; round < 10; round++) {
      for (const f of files) await appendFile(f, `line:${round}\n`);
      await appendFile(path.join(dir, 'other.txt'), 'noise\n');
    }
    // The followers saw every append through the same directory's events.
    const sizes = () => channels.list().map((c) => (c.source as FileSource).follower.current?.size);
    await expect.poll(sizes).toEqual(files.map(() => 'line:0\n'.length * 10));
    expect(discovery.dirReads).toBe(reads);
  });

  it('fails on a path that is a directory; a glob matching a directory follows nothing', async () => {
    const dir = await tmpDir();
    await mkdir(path.join(dir, 'adir.log'));
    await expect(discover([path.join(dir, 'adir.log')])).rejects.toThrow(/directory/);
    const { names } = await discover([path.join(dir, '*.log')]);
    expect(names()).toEqual([]);
  });
});
