/**
 * 10,000 followed files in one directory, each with a reader waiting at its end (what one client of
 * a merged stream is): descriptors stay bounded by the files being read, an idle window costs next
 * to no CPU, and appends to a few of them, or a file replaced while its descriptor was closed,
 * still arrive exactly.
 */
import { appendFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Channels } from '../../../../src/sources/channels.js';
import { FileSource } from '../../../../src/sources/file/index.js';
import type { SourceReader } from '../../../../src/sources/source.js';
import { tmpDir } from '../../../helpers/tmp.js';

const FILES = 10_000;
/** The issue's bound: descriptors beyond the clients' (here: beyond the process's own before). */
const MAX_EXTRA_FDS = 64;
const WINDOW_MS = 3000;

const openFds = (): number => readdirSync('/proc/self/fd').length;

/** CPU time (ms) this process spends over a window of `ms` while nothing happens. */
async function idleCpuMs(ms: number): Promise<number> {
  const before = process.cpuUsage();
  // A measurement window, not a wait for something: CPU time, not wall time, is compared.
  await delay(ms);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

let channels: Channels | undefined;
const readers: SourceReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  await channels?.close();
  channels = undefined;
});

describe(`${FILES.toLocaleString('en')} followed files`, () => {
  it('hold a bounded number of descriptors, cost no CPU while idle, and still deliver every line', { timeout: 240_000 }, async () => {
    const dir = await tmpDir();
    const names = Array.from({ length: FILES }, (_, i) => path.join(dir, `app-${i}.log`));
    for (const [i, name] of names.entries()) writeFileSync(name, `start:${i}\n`);
    const baselineCpu = await idleCpuMs(WINDOW_MS);
    const baselineFds = openFds();

    channels = new Channels();
    for (let i = 0; i < FILES; i += 500) {
      const opened = await Promise.all(names.slice(i, i + 500).map((name) => FileSource.open(name, { pollMs: 1000, onWarning: () => undefined })));
      for (const source of opened) channels.add(source.name, source);
    }
    // A reader of every file from its start, then waiting at its end: each one's lines in order.
    const got = new Map<string, string[]>();
    for (const { name, source } of channels.list()) {
      const reader = source.open({ kind: 'start' }, { maxLineBytes: 1024 });
      readers.push(reader);
      const lines: string[] = [];
      got.set(name, lines);
      void (async () => {
        for (let batch = await reader.next(); batch; batch = await reader.next()) {
          lines.push(...batch.buf.toString().split('\n').filter(Boolean));
          batch.release();
        }
      })();
    }
    await vi.waitFor(() => expect([...got.values()].filter((lines) => lines.length === 0)).toHaveLength(0), { timeout: 60_000, interval: 50 });
    // Idle descriptors close after a second (see idle-files.ts), not when the safety net, taking
    // 200 files a second, comes by each (50 s for 10,000).
    await vi.waitFor(() => expect(openFds() - baselineFds).toBeLessThanOrEqual(MAX_EXTRA_FDS), { timeout: 20_000, interval: 50 });

    // Idle: no timer per file, no stat of every file every second.
    const idleCpu = await idleCpuMs(WINDOW_MS);
    expect(idleCpu - baselineCpu).toBeLessThan(WINDOW_MS * 0.05);
    expect(openFds() - baselineFds).toBeLessThanOrEqual(MAX_EXTRA_FDS);

    // A few files written to: every line, in order, to their readers only.
    const written = [0, 1234, 5000, 9999];
    for (let n = 0; n < 3; n++) for (const i of written) appendFileSync(names[i]!, `line:${n}\n`);
    for (const i of written) await vi.waitFor(() => expect(got.get(names[i]!)).toEqual([`start:${i}`, 'line:0', 'line:1', 'line:2']), { timeout: 20_000 });

    // A file replaced while its descriptor was closed: a rotation, nothing lost or read twice.
    const replaced = names[4242]!;
    const follower = (channels.get(replaced) as FileSource).follower;
    await vi.waitFor(() => expect(follower.current?.parked).toBe(true), { timeout: 20_000 });
    appendFileSync(replaced, 'old:1\n');
    renameSync(replaced, `${replaced}.1`);
    writeFileSync(replaced, 'new:1\nnew:2\n');
    await vi.waitFor(() => expect(got.get(replaced)).toEqual(['start:4242', 'old:1', 'new:1', 'new:2']), { timeout: 20_000 });
    expect(follower.rotations).toBe(1);
    expect(follower.gaps).toBe(0);

    const quiet = names.filter((name, i) => !written.includes(i) && name !== replaced);
    expect(quiet.filter((name) => got.get(name)!.length !== 1)).toEqual([]);
    await vi.waitFor(() => expect(openFds() - baselineFds).toBeLessThanOrEqual(MAX_EXTRA_FDS), { timeout: 20_000, interval: 50 });
  });
});
