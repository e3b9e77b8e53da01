/**
 * The generations a follower holds open: the file at the path, renamed files still drained, and
 * rotated files a reader opened again. One list, so that readers resuming in the same file share
 * one descriptor and one cache key instead of opening it once each.
 */
import { sameFile, type FileIdentity } from './cursor.js';
import type { Generation } from './generation.js';

export class OpenGenerations {
  #list: Generation[] = [];

  find(identity: FileIdentity): Generation | undefined {
    return this.#list.find((gen) => !gen.isClosed && sameFile(gen, identity));
  }

  /** `gen`, or the open generation of the same file when there already is one. */
  share(gen: Generation): Generation {
    const open = this.find(gen);
    if (open) return open;
    this.add(gen);
    return gen;
  }

  add(gen: Generation): void {
    // Closed ones are dropped here rather than when they close: nothing tells the list then.
    this.#list = this.#list.filter((held) => !held.isClosed);
    this.#list.push(gen);
  }

  closeAll(): Promise<void> {
    return Promise.all(this.#list.map((gen) => gen.close())).then(() => undefined);
  }
}
