import { describe, expect, it } from 'vitest';
import { channelSelector, Channels } from '../../../src/sources/channels.js';
import type { Source } from '../../../src/sources/source.js';

/** A source that only records being closed: Channels never reads from one. */
function closable(name: string): Source & { closed: boolean } {
  const s = {
    name,
    closed: false,
    isId: () => false,
    open: () => {
      throw new Error('not read here');
    },
    health: () => ({}),
    metrics: () => [],
    close: async () => {
      s.closed = true;
    },
  };
  return s;
}

describe('Channels', () => {
  it('tells listeners of each channel added and removed, in order, and closes what it removes', async () => {
    const channels = new Channels();
    const heard: string[] = [];
    channels.on('add', (c) => heard.push(`+${c.name}`));
    channels.on('remove', (c) => heard.push(`-${c.name}`));
    const a = closable('a.log');
    channels.add('a.log', a);
    channels.add('logs/b.log', closable('logs/b.log'));
    expect(channels.get()).toBeUndefined();
    await channels.remove('a.log');
    expect(a.closed).toBe(true);
    expect(heard).toEqual(['+a.log', '+logs/b.log', '-a.log']);
    expect(channels.list().map((c) => c.name)).toEqual(['logs/b.log']);
    expect(channels.get()?.name).toBe('logs/b.log');
    expect(() => channels.add('logs/b.log', closable('x'))).toThrow(/exists/);
  });
});

describe('channelSelector', () => {
  it('selects by exact name and by glob; no values select all', () => {
    const all = channelSelector([]);
    expect(all('anything')).toBe(true);
    const some = channelSelector(['a.log', 'logs/**/*.log']);
    expect(['a.log', 'b.log', 'logs/x.log', 'logs/deep/y.log', 'logs/.hidden.log', 'logs/x.log.1'].filter(some)).toEqual([
      'a.log',
      'logs/x.log',
      'logs/deep/y.log',
      'logs/.hidden.log',
    ]);
    // `[!…]` negates as in a shell (picomatch alone reads it as the class of `!` and the rest).
    const notA = channelSelector(['logs/[!a].log']);
    expect(['logs/a.log', 'logs/b.log', 'logs/!.log'].filter(notA)).toEqual(['logs/b.log', 'logs/!.log']);
    expect(channelSelector(['logs/\\[!a].log'])('logs/a.log')).toBe(false);
    // A name holding glob characters is still selected by itself.
    expect(channelSelector(['weird[1].log'])('weird[1].log')).toBe(true);
  });
});
