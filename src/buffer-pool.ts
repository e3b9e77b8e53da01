/**
 * Reusable memory for what one client has in flight: a read of the file behind the live edge, and
 * the payload encoded from it. A client catching up on a backlog goes through hundreds of
 * kilobytes per batch; as fresh buffers that memory lives outside the V8 heap, where nothing
 * collects it until tens of megabytes have piled up, and as buffers kept per client it would stay
 * with every client that ever caught up. One small pool for the process keeps both bounded.
 */

/** Buffers kept for reuse, whichever clients use them. */
const MAX_FREE = 8;
/** Larger ones are one-offs (a burst of long lines), not worth holding on to. */
const MAX_POOLED_BYTES = 4 * 1024 * 1024;
const MIN_BYTES = 64 * 1024;

const free: Buffer[] = [];

export interface Lease {
  /** `length` bytes of pooled memory. */
  buf: Buffer;
  /** Returns the memory; call once nothing refers to `buf` any more. Later calls do nothing. */
  release: () => void;
}

export function lease(length: number): Lease {
  const memory = take(length);
  let held = true;
  return {
    buf: memory.subarray(0, length),
    release: () => {
      if (!held) return;
      held = false;
      if (free.length < MAX_FREE && memory.length <= MAX_POOLED_BYTES) free.push(memory);
    },
  };
}

/** The smallest free buffer that fits, else a new one (reads and payloads differ in size). */
function take(length: number): Buffer {
  let best = -1;
  for (let i = 0; i < free.length; i++) {
    if (free[i]!.length >= length && (best === -1 || free[i]!.length < free[best]!.length)) best = i;
  }
  if (best !== -1) return free.splice(best, 1)[0]!;
  // Never from Node's shared pool: these buffers are reused, so nothing else may live in them.
  // Powers of two, so that batches of similar size fit each other's buffers.
  return Buffer.allocUnsafeSlow(Math.max(MIN_BYTES, 2 ** Math.ceil(Math.log2(length))));
}

const nothing = (): void => undefined;

/** A buffer that belongs to no pool, as a lease with nothing to give back. */
export function own(buf: Buffer): Lease {
  return { buf, release: nothing };
}

/** `parts` joined into pooled memory. */
export function concatLeased(parts: readonly Buffer[]): Lease {
  let length = 0;
  for (const part of parts) length += part.length;
  const leased = lease(length);
  let at = 0;
  for (const part of parts) at += part.copy(leased.buf, at);
  return leased;
}
