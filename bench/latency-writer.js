// Appends `<monotonic ns> <seq>\n` to FILE, one write(2) per line, at RATE lines/s for SECONDS.
// process.hrtime is CLOCK_MONOTONIC, shared by every process on the machine, so a reader in
// another process can subtract it from its own clock.
import { closeSync, openSync, writeSync } from 'node:fs';

const [file, rateArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const total = Math.round(rate * Number(secondsArg));
const fd = openSync(file, 'a');
const start = performance.now();
let sent = 0;
while (sent < total) {
  const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
  while (sent < due) writeSync(fd, `${process.hrtime.bigint()} ${sent++}\n`);
  await new Promise((resolve) => setTimeout(resolve, 1));
}
closeSync(fd);
