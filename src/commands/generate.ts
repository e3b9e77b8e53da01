import { Command, Option } from 'commander';
import { parseEventList, parseNonNegativeInt, parsePort, parsePositiveInt, parseRate } from '../options.js';
import { shutdownSignal } from '../shutdown.js';

interface GenerateFlags {
  events: string[];
  sessions: number;
  rate: number;
  count?: number;
  format: 'text' | 'json';
  http?: number;
  stdin?: boolean;
}

export function makeGenerateCommand(): Command {
  return new Command('generate')
    .description('append synthetic session:event lines to a log file through winston')
    .argument('[file]', 'log file to append to', 'event.log')
    .addOption(new Option('-e, --events <list>', 'comma-separated event names')
      .argParser(parseEventList).default(['impression'], 'impression'))
    .option('-s, --sessions <n>', 'number of distinct session ids', parsePositiveInt, 10)
    .option('-r, --rate <n>', 'events per second; 0 = as fast as possible', parseRate, 10)
    .option('-n, --count <n>', 'stop after n events (default: run until SIGINT/SIGTERM)', parseNonNegativeInt)
    .addOption(new Option('--format <format>', 'line format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--http <port>', 'run an HTTP app instead: GET /<event>?session=<id> appends a line')
      .argParser(parsePort).conflicts('stdin'))
    .option('--stdin', 'append each line read from stdin instead of synthetic events')
    .addHelpText('after', `
Examples:
  evlog generate -n 1000 -r 0 x.log               1000 events as fast as possible, then exit
  evlog generate -r 100 -e impression,click,buy   100 events/s into event.log until Ctrl-C
  evlog generate -n 5 --format json events.json   winston JSON lines: session, event, timestamp
  printf 'u1:signup\\nu1:login\\n' | evlog generate --stdin
                                                  append lines from stdin
  evlog generate --http 8080                      an app: GET /click?session=u1 appends u1:click`)
    .action(async (file: string, flags: GenerateFlags) => {
      // Loaded on demand so `evlog --help` does not pay for winston.
      const { generate } = await import('../generator/index.js');
      const shutdown = shutdownSignal();
      try {
        await generate({
          file,
          ...flags,
          stdin: flags.stdin ? process.stdin : undefined,
          signal: shutdown.signal,
          onListening: (url) => process.stderr.write(`evlog: app listening on ${url}, appending to ${file}\n`),
        });
      } finally {
        shutdown.dispose();
      }
    });
}
