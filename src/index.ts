/**
 * What a Node program embeds: a server (its own, or a handler on the caller's `http.Server`), the
 * client, the listener, the generator, and the errors they throw. The follower, readers and id
 * formats stay inside: ids are opaque, and the CLI is the `evlog` binary.
 */
export { EvlogError, UsageError, RuntimeError, HttpStatusError, ExitCode } from './errors.js';
export { parseEventLine, parseTextEvent, isValidName, type EventFields } from './wire/record.js';
export { START_HEADER, type StreamRecord, type GapRecord, type Gap } from './wire/types.js';
export { generate, EventWriter, type GenerateOptions, type GenerateResult, type LogFormat } from './generator/index.js';
export {
  createServer,
  createHandler,
  type EvlogServer,
  type EvlogHandler,
  type ServerOptions,
  type HandlerOptions,
  type TlsFiles,
} from './server/index.js';
export { connect, RecordStream, type ConnectOptions, type ClientStatus } from './client/connect.js';
export {
  listen,
  type ListenOptions,
  type ListenResult,
  type Callback,
  type CallbackContext,
  type ListenEvent,
} from './listen/index.js';
