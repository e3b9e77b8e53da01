/**
 * SIGINT/SIGTERM become an AbortSignal the commands wind down on. A second signal means the user
 * is done waiting: exit at once with the conventional 128+n code.
 */
const codes = { SIGINT: 130, SIGTERM: 143 } as const;

export function shutdownSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: keyof typeof codes): void => {
    if (controller.signal.aborted) process.exit(codes[name]);
    controller.abort(new Error(name));
  };
  const handlers = (Object.keys(codes) as (keyof typeof codes)[]).map((name) => {
    const handler = (): void => onSignal(name);
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => handlers.forEach(([name, handler]) => process.off(name, handler)),
  };
}
