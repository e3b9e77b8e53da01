import { open, stat, writeFile } from 'node:fs/promises';
import { afterEach } from 'vitest';
import { Generation } from '../../src/sources/file/generation.js';
import { tmpLog } from './tmp.js';

const handles: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
});

/** A generation on a real file holding `content`, counting the bytes read from it. */
export async function generationOf(content: string | Buffer): Promise<{ gen: Generation; file: string; bytesRead: () => number }> {
  const file = await tmpLog();
  await writeFile(file, content);
  const handle = await open(file, 'r');
  handles.push(handle);
  const st = await stat(file);
  let read = 0;
  const gen = new Generation(handle, { dev: st.dev, ino: st.ino }, st.size, (n) => (read += n));
  return { gen, file, bytesRead: () => read };
}
