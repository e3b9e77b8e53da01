import { openSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { afterEach } from 'vitest';
import { Generation } from '../../src/sources/file/generation.js';
import { tmpLog } from './tmp.js';

const gens: Generation[] = [];
afterEach(() => {
  for (const gen of gens.splice(0)) gen.close();
});

/** A generation on a real file holding `content`, counting the bytes read from it. */
export async function generationOf(content: string | Buffer): Promise<{ gen: Generation; file: string; bytesRead: () => number }> {
  const file = await tmpLog();
  await writeFile(file, content);
  const fd = openSync(file, 'r');
  const st = await stat(file);
  let read = 0;
  const gen = new Generation(fd, { dev: st.dev, ino: st.ino }, st.size, (n) => (read += n));
  gens.push(gen);
  return { gen, file, bytesRead: () => read };
}
