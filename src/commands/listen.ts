import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { describeSystemError } from '../errors.js';
import { EXAMPLES_DIR } from '../examples.js';
import { parseChannel, parseNonNegativeInt, parsePositiveInt, parseRegex, parseToken } from '../options.js';
import { LISTEN_DEFAULTS, type ListenOptions } from '../listen/options.js';
import { shutdownSignal } from '../shutdown.js';
import { isResumePoint } from '../wire/id.js';

/** What commander hands the action: the library's options under the flags' own names. */
type ListenFlags = Omit<ListenOptions, 'url' | 'retryDelayMs' | 'callbackTimeoutMs' | 'claimIdleMs' | 'signal' | 'stdout' | 'log' | 'callback' | 'ca'> & {
  ca?: Buffer;
  callback?: string;
  retryDelay: number;
  callbackTimeout: number;
  claimIdle: number;
};

/**
 * Repeatable `-m`: each pattern is checked when given, so the error names the bad one. No default
 * value, so help does not show an empty list as one.
 */
function collectPattern(value: string, previous: string[] | undefined): string[] {
  parseRegex(value);
  return [...(previous ?? []), value];
}

function collectChannel(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), parseChannel(value)];
}

/** Read when given, so a missing file is a usage error before anything starts. */
function parseCaFile(file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${file}: ${describeSystemError(err)}.`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new InvalidArgumentError(`${file} holds no PEM certificate.`);
  return pem;
}

function parseFrom(value: string): string {
  if (!isResumePoint(value)) throw new InvalidArgumentError("expected a record id or 'start'.");
  return value;
}

function parseName(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected a name.');
  return value;
}

function examples(): string {
  const notify = path.join(EXAMPLES_DIR, 'notify.js');
  return `
Examples:
  evlog listen -n 5 -m impression               the next 5 impressions, then exit
  evlog listen -m 'click|buy' -i | head -n 20   like grep: ends quietly once head has its 20
  evlog listen --json --tail 100 -n 100 | jq -r .session
                                                the last 100 records, as NDJSON, through jq
  evlog listen -v -m healthcheck -n 10 ws://127.0.0.1:8001
                                                all but health checks, over WebSocket
  evlog listen -f api.log -f 'logs/*.log' -H -m error
                                                errors in these files only, each line
                                                after its file's name, like grep -H
  evlog listen -m buy -c ${notify} --checkpoint notify.cp
                                                run a callback module for every purchase
  evlog listen redis://127.0.0.1:6379 --stream evlog:event.log --group notify -c ${notify}
                                                share the events of a Redis stream with the
                                                other listeners of the group

Example callback modules are in ${EXAMPLES_DIR}`;
}

export function makeListenCommand(): Command {
  return new Command('listen')
    .description('read an evlog stream, filter it by regex, print matches or run a callback for each')
    .argument('[url]', 'http(s):// reads /stream, ws(s):// reads /ws, redis://host:port[/db] reads --stream; no scheme means http://', LISTEN_DEFAULTS.url)
    .option('-m, --match <regex>', 'JS regex on the line; repeatable (any matches); default: every line', collectPattern)
    .option('-i, --ignore-case', 'match case-insensitively')
    .option('-v, --invert', 'select lines that match none of the patterns')
    .option('-f, --file <name|glob>', 'only these files of a server that follows several; repeatable; default: all', collectChannel)
    .option('-H, --with-filename', 'print <file>: before each line, like grep -H')
    .option('-c, --callback <module>', 'ESM or CJS module file whose default export is (event, ctx) => void | Promise<void>')
    .option('--json', 'print records as NDJSON instead of raw lines')
    .option('--print', 'print matches even with --callback')
    .addOption(new Option('--color <when>', 'highlight the matched text: on a terminal without NO_COLOR (nor TERM=dumb), always, or never')
      .choices(['auto', 'always', 'never']).default(LISTEN_DEFAULTS.color))
    .option('-n, --count <n>', 'exit 0 after n matching events were handled', parsePositiveInt)
    .addOption(new Option('--from <id|start>', 'start after this record id, or at the start of the file').argParser(parseFrom).conflicts('tail'))
    .option('--tail <n>', 'start with the last n lines', parseNonNegativeInt)
    .option('--checkpoint <file>', 'keep the id of the last handled event here and resume after it')
    .option('--retries <n>', 'retries after the first failed attempt', parseNonNegativeInt, LISTEN_DEFAULTS.retries)
    .option('--retry-delay <ms>', 'first retry delay; doubles each retry, jittered', parseNonNegativeInt, LISTEN_DEFAULTS.retryDelayMs)
    .option('--dead-letter <file>', 'NDJSON file for events whose callback still failed')
    .option('--callback-timeout <ms>', 'an attempt still running after this has failed', parsePositiveInt, LISTEN_DEFAULTS.callbackTimeoutMs)
    .option('--concurrency <n>', 'callbacks in flight at once', parsePositiveInt, LISTEN_DEFAULTS.concurrency)
    .addOption(new Option('--token <secret>', 'token for a server started with --token').env('EVLOG_TOKEN').argParser(parseToken))
    .option('--ca <file>', 'trust this PEM certificate (private CA or self-signed) for https:// and wss://', parseCaFile)
    .option('--no-reconnect', 'exit 1 when the stream ends or fails instead of reconnecting')
    .option('--stream <key>', 'with a redis:// URL: the key of the Redis stream to read', parseName)
    .option('--group <name>', 'read as one consumer of this Redis consumer group (created when missing)', parseName)
    .option('--consumer <name>', "this listener's name in the group (default: <hostname>-<pid>)", parseName)
    .option('--claim-idle <ms>', "take over the group's events pending this long", parsePositiveInt, LISTEN_DEFAULTS.claimIdleMs)
    .option('--max-deliveries <n>', 'at this delivery, an event whose callback still fails is dead-lettered and acknowledged', parsePositiveInt, LISTEN_DEFAULTS.maxDeliveries)
    .addHelpText('after', examples)
    .action(async (url: string, flags: ListenFlags, command: Command) => {
      // Loaded on demand so `evlog --help` does not pay for ws.
      const { listen } = await import('../listen/index.js');
      const shutdown = shutdownSignal();
      // Only flags given count: the group's defaults without --group, or EVLOG_TOKEN set for other uses, are no mistake.
      const given = <T>(name: string, value: T, from = ['cli']): T | undefined => (from.includes(command.getOptionValueSource(name) ?? '') ? value : undefined);
      try {
        await listen({
          url,
          ...flags,
          token: given('token', flags.token, /^rediss?:\/\//i.test(url) ? ['cli'] : ['cli', 'env']),
          retryDelayMs: flags.retryDelay,
          callbackTimeoutMs: flags.callbackTimeout,
          claimIdleMs: given('claimIdle', flags.claimIdle),
          maxDeliveries: given('maxDeliveries', flags.maxDeliveries),
          signal: shutdown.signal,
        });
      } finally {
        shutdown.dispose();
      }
    });
}
