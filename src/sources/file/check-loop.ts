/**
 * When a follower looks at its file. Checks never overlap, a request during one triggers another,
 * and requests in one turn of the event loop (a burst of appends reported together) make one
 * check: a writer flat out must not cost a stat per line. `grow` asks only for the descriptor's
 * size (an append was reported); `look` also for the path (a name may have changed).
 */
export type CheckKind = 'grow' | 'look';

export class CheckLoop {
  readonly #run: (look: boolean) => Promise<void>;
  readonly #onError: (err: unknown) => void;
  #checking = false;
  #again = false;
  #scheduled = false;
  #look = false;
  #stopped = false;

  /** `onError` gets what a check threw; checks go on at the next request. */
  constructor(run: (look: boolean) => Promise<void>, onError: (err: unknown) => void) {
    this.#run = run;
    this.#onError = onError;
  }

  request(kind: CheckKind): void {
    if (this.#stopped) return;
    if (kind === 'look') this.#look = true;
    if (this.#checking) {
      this.#again = true;
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#loop();
    });
  }

  stop(): void {
    this.#stopped = true;
  }

  async #loop(): Promise<void> {
    if (this.#stopped || this.#checking) return;
    this.#checking = true;
    try {
      do {
        this.#again = false;
        const look = this.#look;
        this.#look = false;
        await this.#run(look);
      } while (this.#again && !this.#stopped);
    } catch (err) {
      this.#onError(err);
    } finally {
      this.#checking = false;
    }
  }
}
