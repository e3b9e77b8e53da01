import { appendFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { LineReader } from '../../src/follow/reader.js';
import { follow } from '../helpers/follow.js';
import { tmpLog } from '../helpers/tmp.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

it('keeps no memory per wait for a reader at the live edge', async () => {
  const file = await tmpLog();
  const follower = await follow(file);
  const reader = new LineReader(follower, { kind: 'new' }, { maxLineBytes: 1024 });
  const appendAndRead = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      // Caught up, so the reader waits for the follower; the poke ends that wait.
      const next = reader.next();
      appendFileSync(file, `s:${i}\n`);
      follower.poke();
      const batch = await next;
      expect(batch?.buf.toString()).toBe(`s:${i}\n`);
    }
  };
  await appendAndRead(2_000);
  const before = heapAfterGc();
  await appendAndRead(40_000);
  const grown = heapAfterGc() - before;
  reader.close();
  // A reaction left behind per wait (about 150 bytes each) would be megabytes here.
  expect(grown).toBeLessThan(1_000_000);
});
