/**
 * The slow look every followed file gets besides its watcher, for changes no watcher reports (a
 * directory that does not exist yet, network file systems, events the kernel dropped). One loop
 * for all files instead of a timer each: it takes the files round-robin, those looked at longest
 * ago first, each at most once per its follower's period, and never more than MAX_PER_SECOND in
 * all. The watcher is what makes following fast; this is only the net under it, so with 10,000
 * files each is looked at every 50 s rather than the process spending its time on stats: a look
 * at an idle file is one stat of its path (a few microseconds), and 200 a second stay near 0.1%
 * of a core.
 */
export const MAX_PER_SECOND = 200;
const TICK_MS = 100;

export interface Looked {
  /** How often this file wants a look (its follower's poll period). */
  readonly periodMs: number;
  look(): void;
}

/** Per period, files in the order they were last looked at (a Map keeps insertion order). */
const queues = new Map<number, Map<Looked, number>>();
let timer: NodeJS.Timeout | undefined;
let tickMs = TICK_MS;

export function enrol(file: Looked): void {
  let queue = queues.get(file.periodMs);
  if (!queue) queues.set(file.periodMs, (queue = new Map()));
  queue.set(file, performance.now() + file.periodMs);
  schedule();
}

export function withdraw(file: Looked): void {
  const queue = queues.get(file.periodMs);
  if (!queue?.delete(file)) return;
  if (queue.size === 0) queues.delete(file.periodMs);
  if (queues.size > 0) return schedule();
  clearInterval(timer);
  timer = undefined;
}

function schedule(): void {
  // A follower asking for a look more often than the tick (tests do) gets ticks that often.
  const wanted = Math.max(5, Math.min(TICK_MS, ...queues.keys()));
  if (timer && wanted === tickMs) return;
  clearInterval(timer);
  tickMs = wanted;
  timer = setInterval(tick, tickMs).unref();
}

function tick(): void {
  const now = performance.now();
  let budget = Math.max(1, Math.round((MAX_PER_SECOND * tickMs) / 1000));
  for (const [period, queue] of queues) {
    for (const [file, due] of queue) {
      if (due > now || budget === 0) break;
      budget--;
      // To the back of the queue: the others are looked at first.
      queue.delete(file);
      queue.set(file, now + period);
      file.look();
    }
  }
}
