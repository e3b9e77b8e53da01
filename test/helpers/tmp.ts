import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

const dirs: string[] = [];

afterEach(async () => {
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
