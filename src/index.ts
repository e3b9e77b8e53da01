export { EvlogError, UsageError, RuntimeError, ExitCode } from './errors.js';
export { parseEventLine, parseTextEvent, type EventFields } from './record.js';
export { generate, EventWriter, type GenerateOptions, type GenerateResult, type LogFormat } from './generator/index.js';
export { main, makeProgram } from './cli.js';
export { createServer, type EvlogServer, type ServerOptions } from './server/index.js';
export { Follower } from './follow/follower.js';
export { LineReader, type LineBatch, type StartAt } from './follow/reader.js';
export { encodeCursor, decodeCursor, type Cursor } from './cursor.js';
