/**
 * Costly filters take turns: one slice of filtering per turn of the event loop, however many
 * clients hold one, so every other client's I/O and `/healthz` run between any two slices. Each
 * slice is bounded (encode.ts), so N costly filters delay nobody by N slices at once.
 */
const waiting: (() => void)[] = [];
let scheduled = false;

function next(): void {
  scheduled = false;
  waiting.shift()?.();
  // Scheduled from within this turn's immediates, the next one runs after the next poll for I/O.
  if (waiting.length > 0) schedule();
}

function schedule(): void {
  scheduled = true;
  setImmediate(next);
}

/** Resolves when it is this filter's turn. */
export function filterTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) schedule();
  });
}
