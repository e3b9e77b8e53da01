import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Channels } from '../../../src/sources/channels.js';
import { Discovery } from '../../../src/sources/discover.js';
import { fileHealth, TOP_FILES } from '../../../src/server/file-metrics.js';
import { Metrics } from '../../../src/server/metrics.js';
import { tmpDir } from '../../helpers/tmp.js';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

/** Series per family, from the text format: `{ name: ['name 3', 'name{file="a"} 1', …] }`. */
function series(text: string): Map<string, string[]> {
  const families = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+)/.exec(line);
    if (type) {
      expect(families.has(type[1]!), `TYPE of ${type[1]} once`).toBe(false);
      families.set(type[1]!, []);
    } else if (line !== '' && !line.startsWith('#')) {
      families.get(/^[a-z_]+/.exec(line)![0])!.push(line);
    }
  }
  return families;
}

describe('metrics and health of many files', () => {
  it('writes totals and at most the top files by lag in each family', async () => {
    const dir = await tmpDir();
    const sizes: number[] = [];
    for (let i = 0; i < 100; i++) {
      const text = 'x:1\n'.repeat(i + 1);
      sizes.push(text.length);
      await writeFile(path.join(dir, `f${String(i).padStart(3, '0')}.log`), text);
    }
    const channels = new Channels();
    open.push(channels);
    open.push(await Discovery.start([path.join(dir, '*.log')], channels, { pollMs: 1000, onWarning: () => undefined }));
    expect(channels.size).toBe(100);
    // Readers at the start of three files late in the order: they are the ones furthest behind.
    const behind = [97, 42, 63].map((i) => channels.list()[i]!);
    for (const channel of behind) {
      const reader = channel.source.open({ kind: 'start' }, { maxLineBytes: 1024 });
      open.push(reader);
      await reader.resumeId();
    }

    const text = new Metrics().render(channels.list());
    const families = series(text);
    expect(families.get('evlog_files')).toEqual(['evlog_files 100']);
    for (const name of ['evlog_file_size_bytes', 'evlog_rotations_total', 'evlog_gaps_total', 'evlog_file_lag_bytes']) {
      const lines = families.get(name)!;
      expect(lines, name).toHaveLength(1 + TOP_FILES);
      expect(lines[0], name).toMatch(new RegExp(`^${name} \\d+$`));
    }
    expect(families.get('evlog_file_size_bytes')![0]).toBe(`evlog_file_size_bytes ${sizes.reduce((a, b) => a + b)}`);
    // The total lag is the largest; the files behind come first, the most behind first.
    const lag = families.get('evlog_file_lag_bytes')!;
    expect(lag.slice(0, 4)).toEqual([
      `evlog_file_lag_bytes ${sizes[97]}`,
      ...[97, 63, 42].map((i) => `evlog_file_lag_bytes{file="${path.join(dir, `f0${i}.log`)}"} ${sizes[i]}`),
    ]);
    expect(lag[4]).toBe(`evlog_file_lag_bytes{file="${path.join(dir, 'f000.log')}"} 0`);

    const health = fileHealth(channels.list());
    expect(health).toHaveLength(100);
    expect(health[97]).toMatchObject({ file: path.join(dir, 'f097.log'), exists: true, size: sizes[97], lagBytes: sizes[97] });
  });

  it('escapes file names in labels', async () => {
    const dir = await tmpDir();
    const name = path.join(dir, 'a "quoted" \\ name.log');
    await writeFile(name, '');
    const channels = new Channels();
    open.push(channels);
    open.push(await Discovery.start([name], channels, { pollMs: 1000, onWarning: () => undefined }));
    expect(new Metrics().render(channels.list())).toContain(`evlog_rotations_total{file="${dir}/a \\"quoted\\" \\\\ name.log"} 0`);
  });
});
