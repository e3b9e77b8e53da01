export { EvlogError, UsageError, RuntimeError, ExitCode } from './errors.js';
export { parseEventLine, parseTextEvent, type EventFields } from './record.js';
export { generate, EventWriter, type GenerateOptions, type GenerateResult, type LogFormat } from './generator/index.js';
export { main, makeProgram } from './cli.js';
