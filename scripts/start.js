// `npm start`: the whole pipeline on two files, so the channels show at once. One generator appends
// shop events to ./event.log, another requests and errors to ./api.log; a server follows both; a
// listener reads their merged stream and prints the impressions and the errors, each after its
// file's name (`-H`). Ctrl-C (or SIGTERM) stops them all; if one of them dies, the others are
// stopped too.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'evlog.js');
const file = process.env.EVLOG_FILE ?? 'event.log';
const apiFile = process.env.EVLOG_API_FILE ?? 'api.log';
const port = process.env.EVLOG_PORT ?? '8001';
const children = new Map();
let stopping = false;

function start(name, args, stdout = 'ignore') {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', stdout, 'pipe'] });
  children.set(name, child);
  const lines = createInterface({ input: child.stderr });
  lines.on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      process.stderr.write(`[${name}] exited (${signal ?? code}); stopping the others\n`);
      stop(code || 1);
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
  return { child, lines };
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  if (children.size === 0) process.exit(code);
  // Only the processes started here, by their PID.
  for (const child of children.values()) child.kill('SIGTERM');
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const server = start('serve', ['serve', '-p', port, file, apiFile]);
server.lines.on('line', (line) => {
  const url = /on (http:\/\/\S+)$/.exec(line)?.[1];
  if (!url || children.has('listen')) return;
  start('generate', ['generate', '-r', '5', '-e', 'impression,click,buy', file]);
  start('generate api', ['generate', '-r', '2', '-e', 'request,error', apiFile]);
  start('listen', ['listen', url, '-H', '--match', 'impression|error'], 'inherit');
  process.stderr.write(
    `evlog: pipeline running: generate → ${file}, ${apiFile} → serve → listen -H --match 'impression|error' (Ctrl-C stops them all)\n`,
  );
});
