import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { RuntimeError, UsageError, describeSystemError } from '../errors.js';
import { parseHostName, parseOrigin, parsePort, parsePositiveInt } from '../options.js';
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
}

const collect = (parse: (value: string) => string) => (value: string, previous: string[]): string[] => [...previous, parse(value)];

async function readPem(flag: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new RuntimeError('EVLOG_ERR_TLS', `cannot read ${flag} ${file}: ${describeSystemError(err)}`, { cause: err });
  }
}

async function tlsFiles(flags: ServeFlags): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (flags.tlsCert === undefined && flags.tlsKey === undefined) return undefined;
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) {
    throw new UsageError('EVLOG_ERR_OPTION', '--tls-cert and --tls-key go together');
  }
  return { cert: await readPem('--tls-cert', flags.tlsCert), key: await readPem('--tls-key', flags.tlsKey) };
}

export function makeServeCommand(): Command {
  return new Command('serve')
    .description('follow a log file like tail -F and stream it over chunked HTTP, SSE and WebSocket')
    .argument('[file]', 'log file to follow', 'event.log')
    .option('-p, --port <n>', 'port; 0 picks a free one', parsePort, 8001)
    .option('-H, --host <addr>', 'bind address', '127.0.0.1')
    .addOption(new Option('--token <secret>', 'require this token (Bearer header or ?token=)').env('EVLOG_TOKEN'))
    .addOption(new Option('--allow-origin <origin>', 'a browser origin allowed to read the streams; repeatable').argParser(collect(parseOrigin)).default([], 'same origin only'))
    .addOption(new Option('--allow-host <name>', 'a Host name to answer besides loopback names; repeatable').argParser(collect(parseHostName)).default([], 'none'))
    .option('--tls-cert <file>', 'serve HTTPS and WSS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--max-line-bytes <n>', 'cut longer lines to n bytes, flagged truncated', parsePositiveInt, 1024 * 1024)
    .option('--max-clients <n>', 'answer further connections with 503', parsePositiveInt, 10_000)
    .action(async (file: string, flags: ServeFlags) => {
      const tls = await tlsFiles(flags);
      // Loaded on demand so `evlog --help` does not pay for chokidar and ws.
      const { createServer } = await import('../server/index.js');
      const { isLoopbackAddress } = await import('../server/guard.js');
      const shutdown = shutdownSignal();
      try {
        const { allowOrigin, allowHost, tlsCert: _cert, tlsKey: _key, ...rest } = flags;
        const server = await createServer({ file, ...rest, allowOrigins: allowOrigin, allowHosts: allowHost, tls });
        if (!server.follower.current) process.stderr.write(`evlog: waiting for ${file} to appear\n`);
        if (!isLoopbackAddress(flags.host) && flags.token === undefined) {
          process.stderr.write(`evlog: warning: listening on ${flags.host} without --token: anyone who can reach it can read ${file}\n`);
        }
        process.stderr.write(`evlog: serving ${file} on ${server.url}\n`);
        if (!shutdown.signal.aborted) await once(shutdown.signal, 'abort');
        await server.close();
      } finally {
        shutdown.dispose();
      }
    });
}
