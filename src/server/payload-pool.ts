/**
 * Reusable memory for payloads that belong to one client. A client catching up on a backlog
 * encodes hundreds of kilobytes per batch; as fresh buffers that memory lives outside the V8 heap,
 * where nothing collects it until tens of megabytes have piled up. Handing each buffer back once
 * its socket has flushed it keeps a catching-up client's footprint at a few buffers.
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
  let memory = free.pop();
  // Too small for this one: drop it rather than keep a pool of misfits.
  // Powers of two, so that batches of similar size fit each other's buffers.
  if (!memory || memory.length < length) memory = Buffer.allocUnsafeSlow(Math.max(MIN_BYTES, 2 ** Math.ceil(Math.log2(length))));
  let held = true;
  const kept = memory;
  return {
    buf: kept.subarray(0, length),
    release: () => {
      if (!held) return;
      held = false;
      if (free.length < MAX_FREE && kept.length <= MAX_POOLED_BYTES) free.push(kept);
    },
  };
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
