/**
 * Descriptors of followed files nobody is reading. A file at its path can be opened again by name
 * whenever it is needed (see Generation.unpark), so its descriptor is kept only while it is used:
 * closed once it has been idle for `idleMs`, or sooner, least recently used first, when more than
 * `maxIdle` are open. 10,000 followed files then hold a few dozen descriptors, not 10,000 (the
 * shippers that keep one per file run out at the default limit of 1,024, or a few thousand).
 * Files with a reader behind, a read in flight, or a rotation to drain keep theirs (see
 * Generation.park): those are bounded by the readers and rotations that need them.
 */
export interface Parkable {
  /** Closes the descriptor if nothing needs it now; false if something does (or it is gone). */
  park(): boolean;
}

/**
 * How long a descriptor may stay idle, and how many idle ones may stay open. Settable so that the
 * rotation tests can run again with every idle descriptor closed at once (the hardest case).
 */
export const idleLimits = { idleMs: 1000, maxIdle: 16 };

const HARD_LIMIT = 64;

/** Least recently used first (a Map keeps insertion order). */
const open = new Map<Parkable, number>();
let timer: NodeJS.Timeout | undefined;
let sweepSoon = false;

/** The file's descriptor was just used. */
export function used(file: Parkable): void {
  open.delete(file);
  open.set(file, performance.now());
  timer ??= setInterval(sweep, idleLimits.idleMs / 2).unref();
  // Files opened in one go without a turn of the event loop (10,000 at start-up, all in place):
  // swept now, before they add up to the process's limit. The file just used is the last one
  // a sweep would reach, and it stops before.
  if (open.size > Math.max(HARD_LIMIT, idleLimits.maxIdle)) return sweep();
  if (open.size > idleLimits.maxIdle && !sweepSoon) {
    // Once per turn of the event loop: a thousand files read in one turn make one sweep.
    sweepSoon = true;
    setImmediate(() => {
      sweepSoon = false;
      sweep();
    });
  }
}

/** The file is closed for good, or no longer one that can be parked. */
export function forget(file: Parkable): void {
  open.delete(file);
}

function sweep(): void {
  const now = performance.now();
  for (const [file, at] of open) {
    if (open.size <= idleLimits.maxIdle && now - at < idleLimits.idleMs) break;
    // Parked, or needed now: either way out of the list; its next use puts it back.
    open.delete(file);
    file.park();
  }
  if (open.size === 0) {
    clearInterval(timer);
    timer = undefined;
  }
}
