// Baseline for the generator: the plainest winston loop that writes the same lines to a file,
// honouring winston's backpressure as any loop of a million lines must.
import { once } from 'node:events';
import winston from 'winston';

const [file, countArg] = process.argv.slice(2);
const count = Number(countArg);
const sessions = Array.from({ length: 10 }, (_, i) => `s-${(0x10000000 + i).toString(16)}`);
const transport = new winston.transports.File({ filename: file });
const logger = winston.createLogger({ format: winston.format.printf((info) => String(info.message)), transports: [transport] });

for (let i = 0; i < count; i++) {
  if (!logger.write({ level: 'info', message: `${sessions[i % 10]}:impression` })) await once(logger, 'drain');
}
const finished = once(transport, 'finish');
logger.end();
await finished;
