import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/server/metrics.js';
import type { Sink } from '../../../src/server/pump.js';
import { Subscription } from '../../../src/server/subscribe.js';
import { FileSource } from '../../../src/sources/file/index.js';
import { appendLines } from '../../helpers/lines.js';
import { tmpLog } from '../../helpers/tmp.js';

/** A sink that keeps every payload it is given, as a socket would take it. */
class Keep implements Sink {
  readonly payloads: Buffer[] = [];
  closed = false;
  write(payload: Buffer, onFlushed?: () => void): boolean {
    this.payloads.push(payload);
    onFlushed?.();
    return true;
  }
  drained(): Promise<void> {
    return Promise.resolve();
  }
  get text(): string {
    return Buffer.concat(this.payloads).toString();
  }
}

describe('a subscription', () => {
  it('counts its client while it streams, and gives clients at the live edge one shared encoding', async () => {
    const file = await tmpLog();
    const source = await FileSource.open(file, { pollMs: 1000, onWarning: () => undefined });
    const metrics = new Metrics();
    const ctx = { metrics, maxLineBytes: 1024 };
    const query = { encoding: 'ndjson' as const, startAt: { kind: 'new' as const }, match: undefined, invert: false, files: [], source };
    const subs = [new Subscription(ctx, query), new Subscription(ctx, query)];
    const startIds = await Promise.all(subs.map((s) => s.startId()));
    expect(startIds[0]).toBeDefined();
    expect(startIds[1]).toBe(startIds[0]);
    const sinks = [new Keep(), new Keep()];
    const runs = subs.map((s, i) => s.run('ws', sinks[i]!, 'ws-ndjson'));
    expect(metrics.clients.ws).toBe(2);
    expect(metrics.readers.size).toBe(2);

    await appendLines(file, 0, 50);
    await expect.poll(() => sinks.map((k) => k.text.split('\n').length)).toEqual([50, 50]);
    // The very same bytes, encoded once: sharing broken would give equal but separate buffers.
    expect(sinks[1]!.payloads[0]).toBe(sinks[0]!.payloads[0]);

    subs.forEach((s) => s.close());
    await Promise.all(runs);
    expect(metrics.clients.ws).toBe(0);
    expect(metrics.readers.size).toBe(0);
    expect(metrics.connections.ws).toBe(2);
    await source.close();
  });
});
