/**
 * Exponential backoff with jitter: attempt n waits between half and all of min·2ⁿ, capped at max.
 * The jitter keeps a crowd of listeners from reconnecting to a restarted server in lockstep.
 */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  random?: () => number;
}

export function backoffDelay(attempt: number, { minMs, maxMs, random = Math.random }: BackoffOptions): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt));
  return ceiling / 2 + random() * (ceiling / 2);
}
