// Loaded with `node --import` into a process the benchmark runs: its own CPU time (user + system,
// all threads, as `time` counts it) in µs, written to the file EVLOG_BENCH_CPU_FILE names as it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  writeFileSync(process.env.EVLOG_BENCH_CPU_FILE, String(user + system));
});
