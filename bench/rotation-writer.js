// Appends `<monotonic ns> <seq>\n` to FILE at RATE lines/s for SECONDS, opening the path for each
// line (one open, write(2), close), as many apps do, and renames FILE to FILE.<n> every EVERY ms:
// rename rotation under load. The next line creates the new file. Prints the monotonic ns of
// every rotation as JSON on stdout at the end.
import { appendFileSync, renameSync } from 'node:fs';

const [file, rateArg, secondsArg, everyArg] = process.argv.slice(2);
const rate = Number(rateArg);
const every = Number(everyArg);
const total = Math.round(rate * Number(secondsArg));
const start = performance.now();
const rotations = [];
let sent = 0;
let nextRotation = every;
while (sent < total) {
  const elapsed = performance.now() - start;
  if (elapsed >= nextRotation) {
    renameSync(file, `${file}.${rotations.length + 1}`);
    rotations.push(String(process.hrtime.bigint()));
    nextRotation += every;
  }
  const due = Math.min(total, Math.floor((elapsed * rate) / 1000) + 1);
  while (sent < due) appendFileSync(file, `${process.hrtime.bigint()} ${sent++}\n`);
  await new Promise((resolve) => setTimeout(resolve, 1));
}
process.stdout.write(`${JSON.stringify(rotations)}\n`);
