// The filtered stream's baseline: this build's server with V8's plain backtracking RegExp engine,
// as every JS RegExp runs by default (the server switches a line that backtracks too much to the
// linear engine; here nothing does). `node bench/plain-regex-serve.js FILE`.
import { setFlagsFromString } from 'node:v8';

const { createServer } = await import('../dist/server/index.js');
const { compileLinear } = await import('../dist/server/safe-regex.js');
// The server sets its engine flags on its first pattern: compile one, then turn the switch off.
compileLinear('x', false);
setFlagsFromString('--no-enable-experimental-regexp-engine-on-excessive-backtracks');
const server = await createServer({ file: process.argv[2], port: 0 });
process.stderr.write(`evlog: serving ${process.argv[2]} on ${server.url}\n`);
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void server.close().then(() => process.exit(0)));
