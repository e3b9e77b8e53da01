/**
 * How `listen` says that events are done with, so that the next run resumes after them. The file
 * checkpoint keeps one id, before which everything is done (a contiguous prefix, whatever order
 * callbacks finish in); a Redis consumer group acknowledges each event on its own (group-commit.ts).
 */
import { isResumePoint } from '../wire/id.js';
import { Checkpoint } from './checkpoint.js';
import { ContiguousTracker, type Pending } from './tracker.js';

export interface Commit<Entry = unknown> {
  /** Where an earlier run stopped, to resume after; undefined when it left nothing. */
  readonly saved: string | undefined;
  /** An event that needs work (the callback) starts; events start in stream order. */
  start(id: string): Entry;
  /** That work is over: handled, or dead-lettered. */
  finish(entry: Entry): void;
  /** That work failed and the event is to be delivered again (a consumer group only). */
  release?(entry: Entry): void;
  /** False while a failed event will be delivered again; true when a failure dead-letters it. */
  lastChance?(id: string): boolean;
  /** An event that needs no work: filtered out, printed, or a gap. */
  pass(id: string): void;
  /** Stores what was committed; rejects with the error storing it met. */
  flush(): Promise<void>;
}

/** The `--checkpoint` file, or without one, nowhere: the same bookkeeping either way. */
export class CheckpointCommit implements Commit<Pending> {
  readonly #checkpoint: Checkpoint | undefined;
  readonly #tracker: ContiguousTracker;

  private constructor(checkpoint: Checkpoint | undefined) {
    this.#checkpoint = checkpoint;
    this.#tracker = new ContiguousTracker((id) => checkpoint?.set(id));
  }

  /** Fails now, before anything connects, if the file cannot be read or written. */
  static async open(file: string | undefined, isId: (text: string) => boolean = isResumePoint): Promise<CheckpointCommit> {
    return new CheckpointCommit(file === undefined ? undefined : await Checkpoint.open(file, isId));
  }

  get saved(): string | undefined {
    return this.#checkpoint?.saved;
  }

  start(id: string): Pending {
    return this.#tracker.start(id);
  }

  finish(entry: Pending): void {
    this.#tracker.finish(entry);
  }

  pass(id: string): void {
    this.#tracker.pass(id);
  }

  async flush(): Promise<void> {
    await this.#checkpoint?.flush();
  }
}
