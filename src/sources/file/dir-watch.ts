/**
 * One platform watcher per directory, shared by every followed file in it. A directory of 10,000
 * followed files watched 10,000 times would wake 10,000 callbacks on every append to any of them;
 * here an event is handed by entry name to the files of that name only (a Map lookup), so an
 * append to one file wakes one follower. An event without a name (a platform that does not say,
 * or the kernel's queue overflowing) goes to every file of the directory.
 *
 * The directory's entry names are also kept here while it is watched, read once and forgotten at
 * the next entry created, removed or renamed: every file's start and every rotation looks for the
 * file's rotated siblings, and 10,000 files must not read a directory of 10,000 entries each.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';

export interface DirMember {
  /** The followed file's name in the directory. */
  readonly base: string;
  /**
   * An event named this file, or (a rename) an entry whose name starts with this file's: a rotated
   * sibling. `name` is undefined when the platform did not say which entry it was.
   */
  onEvent(event: string, name: string | undefined): void;
  /** The directory went away and its watcher with it: join again once it is back. */
  onLost(): void;
}

interface Dir {
  watcher: FSWatcher;
  byName: Map<string, Set<DirMember>>;
  /** Sorted entry names, read on demand; undefined once an entry was created, removed or renamed. */
  names: Promise<string[]> | undefined;
}

const dirs = new Map<string, Dir>();

/** Adds `member` to its directory's watcher, starting one; false when there is no directory (yet). */
export function join(dir: string, member: DirMember): boolean {
  let entry = dirs.get(dir);
  if (!entry) {
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false }, (event, name) => dispatch(entry!, event, name));
    } catch {
      return false;
    }
    entry = { watcher, byName: new Map(), names: undefined };
    const started = entry;
    watcher.on('error', () => lost(dir, started));
    dirs.set(dir, entry);
  }
  let named = entry.byName.get(member.base);
  if (!named) entry.byName.set(member.base, (named = new Set()));
  named.add(member);
  return true;
}

export function leave(dir: string, member: DirMember): void {
  const entry = dirs.get(dir);
  const named = entry?.byName.get(member.base);
  if (!entry || !named?.delete(member)) return;
  if (named.size > 0) return;
  entry.byName.delete(member.base);
  if (entry.byName.size > 0) return;
  dirs.delete(dir);
  entry.watcher.close();
}

/**
 * The directory's entry names, sorted (so the names starting with a prefix are found by binary
 * search). Shared while the directory is watched and unchanged; read afresh otherwise.
 */
export function entryNames(dir: string): Promise<string[]> {
  const entry = dirs.get(dir);
  if (!entry) return readSorted(dir);
  const names = (entry.names ??= readSorted(dir));
  void names.then(undefined, () => {
    if (entry.names === names) entry.names = undefined;
  });
  return names;
}

async function readSorted(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.sort();
}

function dispatch(entry: Dir, event: string, name: string | null): void {
  if (name === null) {
    entry.names = undefined;
    for (const named of [...entry.byName.values()]) for (const m of [...named]) m.onEvent(event, undefined);
    return;
  }
  for (const m of entry.byName.get(name) ?? []) m.onEvent(event, name);
  if (event !== 'rename') return;
  entry.names = undefined;
  // A rotated sibling's name starts with its file's: every shorter prefix of the name may be one.
  for (let end = name.length - 1; end > 0; end--) {
    const named = entry.byName.get(name.slice(0, end));
    if (named) for (const m of [...named]) m.onEvent(event, name);
  }
}

function lost(dir: string, entry: Dir): void {
  entry.watcher.close();
  if (dirs.get(dir) !== entry) return;
  dirs.delete(dir);
  for (const named of [...entry.byName.values()]) for (const m of [...named]) m.onLost();
}
