/**
 * A merged stream adds next to nothing to a line's delay: no timer, poll or wake-up that waits for
 * the next batch. Lines are written one at a time, each once the one before has arrived, to one
 * file served twice in this process: alone (the control) and as one of three files of a merged
 * stream. Both clients see each line under the same load, so what is compared is the difference
 * per line, never a figure that depends on the machine's speed.
 */
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStream, type HttpStream } from '../../helpers/clients.js';
import { startServer } from '../../helpers/server.js';
import { tmpDir } from '../../helpers/tmp.js';

const LINES = 60;
/** More than any stall the two clients do not share; less than any timer worth the name. */
const SLACK_MS = 20;

/** When the client has received its `n`th line (resolved as it arrives). */
function arrivals(stream: HttpStream): (n: number) => Promise<number> {
  let lines = 0;
  const waiting = new Map<number, (at: number) => void>();
  const at: number[] = [];
  stream.response.on('data', (data: Buffer | string) => {
    const now = performance.now();
    const chunk = String(data);
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) {
      at[++lines] = now;
      waiting.get(lines)?.(now);
    }
  });
  return (n) => (at[n] !== undefined ? Promise.resolve(at[n]!) : new Promise((resolve) => waiting.set(n, resolve)));
}

describe('a merged stream at the live edge', () => {
  it('delivers each line about as soon as a server of that file alone does', async () => {
    const dir = await tmpDir();
    const [a, b, c] = ['a.log', 'b.log', 'c.log'].map((f) => path.join(dir, f)) as [string, string, string];
    for (const f of [a, b, c]) await appendFile(f, '');
    const alone = await startServer({ files: [a] });
    const merged = await startServer({ files: [a, b, c], stateDir: path.join(dir, 'state') });
    const control = arrivals(await openStream(`${alone.url}/stream?format=text`));
    const subject = arrivals(await openStream(`${merged.url}/stream?format=text`));
    const late: string[] = [];
    for (let i = 1; i <= LINES; i++) {
      const written = performance.now();
      await appendFile(a, `line ${i}\n`);
      const [tControl, tMerged] = await Promise.all([control(i), subject(i)]);
      if (tMerged - written > tControl - written + SLACK_MS) late.push(`line ${i}: ${(tMerged - written).toFixed(1)} ms merged, ${(tControl - written).toFixed(1)} ms alone`);
    }
    // A timer or poll of any length behind the merged stream makes most lines late.
    expect(late.length, late.join('\n')).toBeLessThan(LINES / 4);
  });
});
