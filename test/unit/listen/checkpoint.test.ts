import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuntimeError } from '../../../src/errors.js';
import { Checkpoint } from '../../../src/listen/checkpoint.js';
import { CheckpointCommit } from '../../../src/listen/commit.js';
import { tmpDir } from '../../helpers/tmp.js';

describe('the checkpoint file', () => {
  it('starts empty, saves the latest id atomically, and is read back by the next run', async () => {
    const file = path.join(await tmpDir(), 'cp');
    const cp = await Checkpoint.open(file);
    expect(cp.saved).toBeUndefined();
    for (const id of ['id-1', 'id-2', 'id-3']) cp.set(id);
    await cp.flush();
    expect(cp.saved).toBe('id-3');
    expect(await readFile(file, 'utf8')).toBe('id-3\n');
    // Nothing left beside it: the temporary file was renamed over it.
    expect(await readdir(path.dirname(file))).toEqual(['cp']);
    expect((await Checkpoint.open(file)).saved).toBe('id-3');
  });

  it('refuses, before anything connects, a file that holds no id or a directory that is not there', async () => {
    const dir = await tmpDir();
    await writeFile(path.join(dir, 'cp'), 'garbage\n');
    await expect(Checkpoint.open(path.join(dir, 'cp'), (t) => t.startsWith('id-'))).rejects.toThrow(/does not hold a record id \(it holds "garbage"\)/);
    await expect(Checkpoint.open(path.join(dir, 'missing', 'cp'))).rejects.toThrow(RuntimeError);
  });

  it('reports a write that failed at flush', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'cp');
    const cp = await Checkpoint.open(file);
    // A directory where the file should go: the rename over it fails.
    await mkdir(file);
    cp.set('id-1');
    await expect(cp.flush()).rejects.toThrow(/cannot write checkpoint/);
  });
});

describe('the checkpoint as a commit', () => {
  it('moves only past the events before which everything is done', async () => {
    const file = path.join(await tmpDir(), 'cp');
    const commit = await CheckpointCommit.open(file);
    const a = commit.start('id-1');
    const b = commit.start('id-2');
    commit.pass('id-3');
    commit.finish(b);
    await commit.flush();
    expect(commit.saved).toBeUndefined();
    commit.finish(a);
    await commit.flush();
    expect(commit.saved).toBe('id-3');
    expect(await readFile(file, 'utf8')).toBe('id-3\n');
  });

  it('keeps the same bookkeeping without a file', async () => {
    const commit = await CheckpointCommit.open(undefined);
    commit.finish(commit.start('id-1'));
    await commit.flush();
    expect(commit.saved).toBeUndefined();
  });
});
