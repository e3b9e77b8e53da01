/**
 * One home for every failure a user can see. Each error carries a stable `code` (tests assert it,
 * not the wording) and the process exit code the CLI maps it to.
 */
export const ExitCode = {
  ok: 0,
  runtime: 1,
  usage: 2,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * `text` (something a client or a user gave) as it may stand in a one-line message: control
 * characters, line breaks among them, shown as `\xNN`.
 */
export function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export class EvlogError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;

  constructor(code: string, message: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Bad flag value, bad combination, unusable plugin: found before anything starts (exit 2). */
export class UsageError extends EvlogError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.usage, options);
  }
}

/** Something failed while running: I/O, network, auth (exit 1). */
export class RuntimeError extends EvlogError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.runtime, options);
  }
}

/** The server answered with a status that retrying will not change (401, 400, 404). */
export class HttpStatusError extends RuntimeError {
  readonly status: number;

  constructor(status: number, message: string) {
    super(status === 401 ? 'EVLOG_ERR_UNAUTHORIZED' : 'EVLOG_ERR_HTTP_STATUS', message);
    this.status = status;
  }

  /** 5xx and 503 (too many clients) may pass; a refusal of the request itself will not. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}

const systemReasons: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a parent is not a directory',
  EISDIR: 'is a directory',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
};

/** A short human reason for a Node system error, without the syscall noise. */
export function describeSystemError(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code && systemReasons[e.code]) return systemReasons[e.code]!;
  if (e instanceof Error) return e.message;
  return String(err);
}

/**
 * Why `new RegExp(source, flags)` refused, without V8's restatement of the pattern (the caller
 * names the pattern or the flag already): "unterminated group".
 */
export function describeRegexError(err: unknown, source: string, flags = ''): string {
  const message = err instanceof Error ? err.message : String(err);
  const prefix = `Invalid regular expression: /${source}/${flags}: `;
  const reason = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  return `${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
}

export function isErrnoException(err: unknown, code?: string): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' &&
    (code === undefined || (err as NodeJS.ErrnoException).code === code);
}
