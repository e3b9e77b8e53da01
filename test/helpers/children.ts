/**
 * The child processes the current test started, ended after it by their PID, and waited for:
 * a test directory is removed only once nothing it started can still write into it.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

const children = new Set<ChildProcess>();

export function track(child: ChildProcess): void {
  children.add(child);
}

/** Kills what is still running (SIGKILL) and resolves once every one has exited. */
export async function stopChildren(): Promise<void> {
  const running = [...children].filter((child) => child.exitCode === null && child.signalCode === null);
  children.clear();
  await Promise.all(running.map((child) => {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    return exited;
  }));
}
