/** A live `count, rate` line for people watching a terminal; silent when stderr is a pipe or file. */
import type { EventWriter } from './writer.js';

const INTERVAL_MS = 250;

export function startProgress(writer: EventWriter, stream: NodeJS.WriteStream = process.stderr): () => void {
  if (!stream.isTTY) return () => undefined;
  let lastCount = writer.written;
  let lastTime = performance.now();
  let rate = 0;
  const render = (): void => {
    const now = performance.now();
    // Smooth the rate so the number is readable while it changes.
    const instant = ((writer.written - lastCount) * 1000) / Math.max(1, now - lastTime);
    rate = rate === 0 ? instant : rate * 0.7 + instant * 0.3;
    lastCount = writer.written;
    lastTime = now;
    stream.write(`\r\x1b[Kevlog: ${writer.written.toLocaleString('en-US')} events, ${Math.round(rate).toLocaleString('en-US')}/s`);
  };
  const timer = setInterval(render, INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    render();
    stream.write('\n');
  };
}
