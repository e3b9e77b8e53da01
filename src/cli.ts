/**
 * The `evlog` program: three command factories under one commander root, and the single place
 * where errors become one stderr line and an exit code.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { makeGenerateCommand } from './commands/generate.js';
import { makeListenCommand } from './commands/listen.js';
import { makeServeCommand } from './commands/serve.js';
import { EvlogError, ExitCode } from './errors.js';
import { EXAMPLES_DIR } from './examples.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export interface ProgramOutput {
  writeOut: (text: string) => void;
  writeErr: (text: string) => void;
}

const defaultOutput: ProgramOutput = {
  writeOut: (text) => process.stdout.write(text),
  writeErr: (text) => process.stderr.write(text),
};

/** commander's messages start with `error:` and may carry a suggestion on a second line. */
function oneLine(message: string): string {
  return `evlog: ${message.trim().replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ')}\n`;
}

export function makeProgram(output: ProgramOutput = defaultOutput): Command {
  const program = new Command('evlog')
    .description('turn an append-only log file into a live event stream')
    .version(version, '-V, --version')
    .showSuggestionAfterError(true)
    .addCommand(makeGenerateCommand())
    .addCommand(makeServeCommand())
    .addCommand(makeListenCommand())
    .addHelpText('after', () => `
Examples:
  evlog generate -r 100 event.log        append 100 events per second until Ctrl-C
  evlog serve event.log                  follow it on http://127.0.0.1:8001
  curl -N http://127.0.0.1:8001/stream   read the stream as raw lines
  evlog listen -n 5 -m impression        print the next 5 impressions, then exit
  evlog listen -m buy -c ${path.join(EXAMPLES_DIR, 'notify.js')}
                                         run a callback module for every purchase

'evlog help <command>' shows each command's flags and examples.
Set EVLOG_DEBUG=1 to see stack traces.`);
  const configure = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({
      writeOut: output.writeOut,
      writeErr: output.writeErr,
      outputError: (text) => output.writeErr(oneLine(text)),
    });
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/**
 * A reader that went away (`| head`) is no error: output ends quietly, for help as for data. Node
 * reports a write to a closed pipe as an 'error' event on the stream, which kills the process
 * unless someone listens; `listen` notices it on its own to stop reading.
 */
function quietOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => undefined);
  }
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: readonly string[] = process.argv, output: ProgramOutput = defaultOutput): Promise<number> {
  if (output === defaultOutput) quietOnClosedPipes();
  try {
    await makeProgram(output).parseAsync(argv);
    return ExitCode.ok;
  } catch (err) {
    return reportError(err, output);
  }
}

function reportError(err: unknown, output: ProgramOutput): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (or the help/version text).
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  const debug = process.env.EVLOG_DEBUG === '1';
  if (err instanceof EvlogError) {
    output.writeErr(oneLine(err.message));
    if (debug) output.writeErr(`${err.stack ?? ''}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  output.writeErr(oneLine(message));
  if (debug && err instanceof Error) output.writeErr(`${err.stack ?? ''}\n`);
  return ExitCode.runtime;
}
