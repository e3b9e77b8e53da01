import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDeadLetters } from '../../../src/listen/dead-letter.js';
import { tmpDir } from '../../helpers/tmp.js';

const event = (id: string) => ({ id, line: `s1:${id}`, session: 's1', event: id, match: null });

describe('dead letters', () => {
  it('appends one NDJSON line per event, whole lines even when written at once', async () => {
    const file = path.join(await tmpDir(), 'dead.ndjson');
    const dead = await openDeadLetters(file, () => undefined);
    await Promise.all(Array.from({ length: 50 }, (_, i) => dead.write(event(`e${i}`), new Error(`boom ${i}`), 4)));
    await dead.close();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(50);
    expect(lines[7]).toMatchObject({ id: 'e7', line: 's1:e7', session: 's1', event: 'e7', error: expect.stringContaining('boom 7'), attempts: 4 });
    expect(lines[7]).not.toHaveProperty('match');
    expect(Number.isNaN(Date.parse(lines[7]!['time'] as string))).toBe(false);
  });

  it('is one log line per event without a file', async () => {
    const logged: string[] = [];
    const dead = await openDeadLetters(undefined, (line) => logged.push(line));
    await dead.write(event('e1'), new Error('boom'), 2);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^callback failed 2 times for e1 \(s1:e1\): .*boom/);
  });

  it('fails to open as a runtime error naming the file', async () => {
    const file = path.join(await tmpDir(), 'no', 'dead.ndjson');
    await expect(openDeadLetters(file, () => undefined)).rejects.toThrow(`cannot open dead-letter file ${file}`);
  });
});
