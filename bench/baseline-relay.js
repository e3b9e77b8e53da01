// Baseline: the plainest Node relay of `tail -n +1 -F FILE` as chunked text, about 30 lines.
// Every tool in this space is at best this; evlog is measured against it in the same run.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

const file = process.argv[2];
const server = createServer((req, res) => {
  if (req.url !== '/stream') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.flushHeaders();
  // New lines only, like evlog's default: tail starts at the end, then follows by name.
  const tail = spawn('tail', ['-n', '0', '-F', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  tail.stdout.pipe(res);
  res.on('close', () => tail.kill());
});
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`relay: serving ${file} on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
