import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError, describeSystemError } from '../errors.js';
import { parseHostName, parseOrigin, parsePort, parsePositiveInt, parseToken } from '../options.js';
import { isRedisSource, MAX_LINE_BYTES, SERVER_DEFAULTS } from '../server/options.js';
import { redactRedisUrl } from '../redis/client.js';
import { shutdownSignal } from '../shutdown.js';

interface ServeFlags {
  port: number;
  host: string;
  token?: string;
  allowOrigin: string[];
  allowHost: string[];
  tlsCert?: string;
  tlsKey?: string;
  maxLineBytes: number;
  maxClients: number;
  redis?: string;
  redisPrefix: string;
  redisMaxlen: number;
  stream?: string;
  stateDir?: string;
}

/** What `tail -F` would say about a file that is not there yet, once. */
async function missing(file: string): Promise<string> {
  const dir = path.dirname(file);
  const dirExists = await stat(dir).then((s) => s.isDirectory(), () => false);
  return dirExists
    ? `${file} does not exist yet; waiting for it to appear`
    : `${file} does not exist yet, nor does its directory ${dir}; waiting for them to appear`;
}

const collect = (parse: (value: string) => string) => (value: string, previous: string[]): string[] => [...previous, parse(value)];

async function readPem(flag: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    // A flag naming a file that is not there is a usage error, as a missing --callback module is.
    throw new UsageError('EVLOG_ERR_TLS', `cannot read ${flag} ${file}: ${describeSystemError(err)}`, { cause: err });
  }
}

async function tlsFiles(flags: ServeFlags): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (flags.tlsCert === undefined && flags.tlsKey === undefined) return undefined;
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) {
    throw new UsageError('EVLOG_ERR_OPTION', '--tls-cert and --tls-key go together');
  }
  return { cert: await readPem('--tls-cert', flags.tlsCert), key: await readPem('--tls-key', flags.tlsKey) };
}

function parseLineBytes(value: string): number {
  const n = parsePositiveInt(value);
  if (n > MAX_LINE_BYTES) throw new InvalidArgumentError(`expected at most ${MAX_LINE_BYTES} (256 MiB).`);
  return n;
}

export function makeServeCommand(): Command {
  return new Command('serve')
    .description('follow log files like tail -F and stream them over chunked HTTP, SSE and WebSocket')
    .argument('[file...]', "log files to follow, each a channel, or quoted globs ('logs/*.log') followed live (default: event.log)")
    .option('-p, --port <n>', 'port; 0 picks a free one', parsePort, SERVER_DEFAULTS.port)
    .option('-H, --host <addr>', 'bind address', SERVER_DEFAULTS.host)
    .addOption(new Option('--token <secret>', 'require this token (Bearer header or ?token=)').env('EVLOG_TOKEN').argParser(parseToken))
    .addOption(new Option('--allow-origin <origin>', 'a browser origin allowed to read the streams; repeatable').argParser(collect(parseOrigin)).default([], 'same origin only'))
    .addOption(new Option('--allow-host <name>', 'a Host name to answer besides loopback names; repeatable').argParser(collect(parseHostName)).default([], 'none'))
    .option('--tls-cert <file>', 'serve HTTPS and WSS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--max-line-bytes <n>', 'cut longer lines to n bytes, flagged truncated (at most 256 MiB)', parseLineBytes, SERVER_DEFAULTS.maxLineBytes)
    .option('--max-clients <n>', 'answer further connections with 503', parsePositiveInt, SERVER_DEFAULTS.maxClients)
    .option('--redis <url>', 'also mirror every line into Redis Streams (redis://[user:password@]host:port[/db])')
    .option('--redis-prefix <prefix>', "the mirror's stream of a file is <prefix><file name>", SERVER_DEFAULTS.redisPrefix)
    .option('--redis-maxlen <n>', 'trim each stream to about n entries', parsePositiveInt, SERVER_DEFAULTS.redisMaxlen)
    .option('--stream <key>', 'with redis://host:port[/db] in place of the file: serve this Redis stream')
    .addOption(new Option('--state-dir <dir>', 'where several files keep the index their merged stream resumes from').env('EVLOG_STATE_DIR').default(undefined, '$XDG_STATE_HOME/evlog or ~/.local/state/evlog'))
    .addHelpText('after', `
Endpoints:
  GET /stream    chunked HTTP: raw lines, NDJSON records or Server-Sent Events
  GET /ws        WebSocket: NDJSON records, several per message
  GET /          the browser live view
  GET /files     the followed files: name, size, and the id of the end of each
  GET /healthz   health check (JSON)
  GET /metrics   Prometheus text

Query parameters of /stream and /ws:
  format=text|ndjson|sse   /stream: else from Accept, else text; /ws: text or NDJSON (default)
  batch=1                  with format=sse: one event per batch of records
  tail=<n>                 start with the last n lines (default: only new lines)
  from=<id>|start          resume right after that record id, or at the start of the file
  file=<name or glob>      only these files (repeatable); default: every file, merged
  match=<regex>            only lines matching it; ignore_case=1 and invert=1 as grep -i, -v
  token=<secret>           the token, for clients that cannot send Authorization: Bearer

Examples:
  evlog serve event.log
  evlog serve api.log worker.log
  evlog serve event.log 'logs/**/*.log'     (files that come to match are followed too)
  evlog serve -p 0 --token "$(openssl rand -hex 16)" /var/log/app.log
  evlog serve event.log --redis redis://127.0.0.1:6379
  evlog serve redis://127.0.0.1:6379 --stream evlog:event.log -p 8002
  curl -N http://127.0.0.1:8001/stream
  curl -N 'http://127.0.0.1:8001/stream?format=ndjson&tail=10&match=click'`)
    .action(async (args: string[], flags: ServeFlags) => {
      const files = args.length > 0 ? args : ['event.log'];
      const tls = await tlsFiles(flags);
      // Loaded on demand so `evlog --help` does not pay for chokidar and ws.
      const { createServer } = await import('../server/index.js');
      const { isLoopbackAddress } = await import('../server/guard.js');
      const shutdown = shutdownSignal();
      try {
        const { allowOrigin, allowHost, tlsCert: _cert, tlsKey: _key, ...rest } = flags;
        const server = await createServer({ files, ...rest, allowOrigins: allowOrigin, allowHosts: allowHost, tls });
        for (const { name, source } of server.channels.list()) {
          if (source.health().exists === false) process.stderr.write(`evlog: ${await missing(name)}\n`);
        }
        const named = files.length === 1 && isRedisSource(files[0]!) ? `${redactRedisUrl(files[0]!)} stream ${flags.stream ?? ''}` : files.join(', ');
        if (!isLoopbackAddress(flags.host) && flags.token === undefined) {
          process.stderr.write(`evlog: warning: listening on ${flags.host} without --token: anyone who can reach it can read ${named}\n`);
        }
        process.stderr.write(`evlog: serving ${named} on ${server.url}\n`);
        if (!shutdown.signal.aborted) await once(shutdown.signal, 'abort');
        await server.close();
      } finally {
        shutdown.dispose();
      }
    });
}
