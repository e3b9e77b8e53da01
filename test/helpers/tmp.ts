import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { stopChildren } from './children.js';

const dirs: string[] = [];

afterEach(async () => {
  // A process still writing into a directory makes removing it fail (ENOTEMPTY): end them first.
  await stopChildren();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh directory for the current test, removed after it. */
export async function tmpDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'evlog-test-'));
  dirs.push(dir);
  return dir;
}

/** `event.log` with this content in a fresh directory. */
export async function tmpLog(content = ''): Promise<string> {
  const file = path.join(await tmpDir(), 'event.log');
  await writeFile(file, content);
  return file;
}
