/** `evlog generate`: picks the source of events (synthetic, HTTP app, stdin) and owns the writer. */
import type { Readable } from 'node:stream';
import { runHttpApp } from './http-app.js';
import { startProgress } from './progress.js';
import { runStdin } from './stdin.js';
import { runSynthetic } from './synthetic.js';
import { EventWriter, type LogFormat } from './writer.js';

export { EventWriter, type LogFormat } from './writer.js';

export interface GenerateOptions {
  file: string;
  events?: readonly string[];
  sessions?: number;
  rate?: number;
  count?: number;
  format?: LogFormat;
  /** Run the HTTP app on this port instead of synthetic events. */
  http?: number;
  host?: string;
  /** Append lines from this stream instead of synthetic events. */
  stdin?: Readable;
  signal?: AbortSignal;
  onListening?: (url: string) => void;
  /** Where progress goes when it is a TTY. */
  progress?: NodeJS.WriteStream;
}

export interface GenerateResult {
  file: string;
  written: number;
}

/** Resolves once every event is in the file: at the count, at end of input, or when `signal` aborts. */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const writer = await EventWriter.open(options.file, options.format ?? 'text');
  const stopProgress = startProgress(writer, options.progress ?? process.stderr);
  const { count, signal } = options;
  try {
    if (options.http !== undefined) {
      await runHttpApp(writer, { port: options.http, host: options.host, count, signal, onListening: options.onListening });
    } else if (options.stdin) {
      await runStdin(writer, { input: options.stdin, count, signal });
    } else {
      await runSynthetic(writer, {
        events: options.events ?? ['impression'],
        sessions: options.sessions ?? 10,
        rate: options.rate ?? 10,
        count,
        signal,
      });
    }
  } finally {
    // Whatever stopped us, what was accepted reaches the file before we return.
    await writer.close();
    stopProgress();
  }
  return { file: writer.file, written: writer.written };
}
