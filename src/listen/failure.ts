/**
 * A callback's failure as an Error and as one line of text. A callback may throw anything: a
 * string, `null`, an object without a prototype, one whose `toString` throws. None of that may
 * crash the listener, and the text keeps what a user needs, such as the `cause` behind
 * fetch's `fetch failed` (`connect ECONNREFUSED 127.0.0.1:9000`).
 */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(`threw ${show(thrown)}`, { cause: thrown });
}

/** The message, then each cause's (fetch's `fetch failed` says nothing without its cause). */
export function describeFailure(error: Error): string {
  const parts: string[] = [];
  for (let at: unknown = error, depth = 0; at instanceof Error && depth < 5; depth++) {
    const text = messageOf(at);
    if (text !== '' && !parts.includes(text)) parts.push(text);
    const current: Error = at;
    at = safely(() => current.cause, undefined);
  }
  return parts.join(': ') || 'failed without a message';
}

function messageOf(error: Error): string {
  const message = safely(() => String(error.message ?? ''), '');
  // An AggregateError (undici's, when every address refused) says little itself; its errors do.
  const inner = error instanceof AggregateError ? safely(() => (error.errors as unknown[]).map((e) => (e instanceof Error ? messageOf(e) : show(e))), []) : [];
  const code = safely(() => (error as { code?: unknown }).code, undefined);
  const text = [message, ...inner].filter((t) => t !== '').join(', ');
  return text === '' && typeof code === 'string' ? code : text;
}

function show(value: unknown): string {
  return safely(() => {
    if (typeof value === 'string') return value;
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  }, () => Object.prototype.toString.call(value));
}

function safely<T>(fn: () => T, fallback: T | (() => T)): T {
  try {
    return fn();
  } catch {
    try {
      return typeof fallback === 'function' ? (fallback as () => T)() : fallback;
    } catch {
      return '[unprintable]' as T;
    }
  }
}
