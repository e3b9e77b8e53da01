// Appends `<monotonic ns> <seq>\n` lines at RATE lines/s for SECONDS, spread round-robin over the
// files DIR/app-0.log … app-<N-1>.log (line `seq` goes to file `seq % N`), one write(2) per line.
// The timestamp is CLOCK_MONOTONIC, as in latency-writer.js, for a reader in another process.
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

const [dir, nArg, rateArg, secondsArg] = process.argv.slice(2);
const n = Number(nArg);
const rate = Number(rateArg);
const total = Math.round(rate * Number(secondsArg));
const fds = Array.from({ length: n }, (_, i) => openSync(path.join(dir, `app-${i}.log`), 'a'));
const start = performance.now();
let sent = 0;
while (sent < total) {
  const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
  while (sent < due) writeSync(fds[sent % n], `${process.hrtime.bigint()} ${sent++}\n`);
  await new Promise((resolve) => setTimeout(resolve, 1));
}
for (const fd of fds) closeSync(fd);
