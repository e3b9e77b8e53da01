import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { describeSystemError } from '../errors.js';
import { decodeCursor } from '../cursor.js';
import { parseNonNegativeInt, parsePositiveInt, parseRegex } from '../options.js';
import type { ListenOptions } from '../listen/index.js';
import { shutdownSignal } from '../shutdown.js';

/** What commander hands the action: the library's options under the flags' own names. */
type ListenFlags = Omit<ListenOptions, 'url' | 'retryDelayMs' | 'callbackTimeoutMs' | 'signal' | 'stdout' | 'log' | 'callback' | 'ca'> & {
  ca?: Buffer;
  match: string[];
  callback?: string;
  retryDelay: number;
  callbackTimeout: number;
};

/** Repeatable `-m`: each pattern is checked when given, so the error names the bad one. */
function collectPattern(value: string, previous: string[]): string[] {
  parseRegex(value);
  return [...previous, value];
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
  if (value !== 'start' && !decodeCursor(value)) throw new InvalidArgumentError("expected a record id or 'start'.");
  return value;
}

export function makeListenCommand(): Command {
  return new Command('listen')
    .description('read an evlog stream, filter it by regex, print matches or run a callback for each')
    .argument('[url]', 'http(s):// reads /stream, ws(s):// reads /ws', 'http://127.0.0.1:8001')
    .option('-m, --match <regex>', 'JS regex on the line; repeatable (any matches)', collectPattern, [])
    .option('-i, --ignore-case', 'match case-insensitively')
    .option('-v, --invert', 'select lines that match none of the patterns')
    .option('-c, --callback <module>', 'ESM or CJS module whose default export is (event, ctx) => void | Promise<void>')
    .option('--json', 'print records as NDJSON instead of raw lines')
    .option('--print', 'print matches even with --callback')
    .option('-n, --count <n>', 'exit 0 after n matching events were handled', parsePositiveInt)
    .option('--from <id|start>', 'start after this record id, or at the start of the file', parseFrom)
    .option('--tail <n>', 'start with the last n lines', parseNonNegativeInt)
    .option('--checkpoint <file>', 'keep the id of the last handled event here and resume after it')
    .option('--retries <n>', 'retries after the first failed attempt', parseNonNegativeInt, 3)
    .option('--retry-delay <ms>', 'first retry delay; doubles each retry, jittered', parseNonNegativeInt, 100)
    .option('--dead-letter <file>', 'NDJSON file for events whose callback still failed')
    .option('--callback-timeout <ms>', 'an attempt still running after this has failed', parsePositiveInt, 30_000)
    .option('--concurrency <n>', 'callbacks in flight at once', parsePositiveInt, 1)
    .addOption(new Option('--token <secret>', 'token for a server started with --token').env('EVLOG_TOKEN'))
    .option('--ca <file>', 'trust this PEM certificate (private CA or self-signed) for https:// and wss://', parseCaFile)
    .option('--no-reconnect', 'exit 1 when the stream ends or fails instead of reconnecting')
    .action(async (url: string, flags: ListenFlags) => {
      // Loaded on demand so `evlog --help` does not pay for ws and split2.
      const { listen } = await import('../listen/index.js');
      const shutdown = shutdownSignal();
      try {
        await listen({
          url,
          ...flags,
          retryDelayMs: flags.retryDelay,
          callbackTimeoutMs: flags.callbackTimeout,
          signal: shutdown.signal,
        });
      } finally {
        shutdown.dispose();
      }
    });
}
