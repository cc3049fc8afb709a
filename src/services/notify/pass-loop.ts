// A pass run again and again: every `pollMs` after the last one ended, and at once on wake(); never
// two at once (a wake-up during a pass runs one more right after it: what woke us may have come after
// that pass read). Shared by the delivery worker and the change follower. `pass` must not throw.

import type { TimerHandle, Timers } from "../../core/timers.js";

export class PassLoop {
  #timer: TimerHandle | undefined;
  #pass: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  constructor(
    private readonly timers: Timers,
    private readonly pollMs: number,
    private readonly pass: () => Promise<void>,
  ) {}

  start(): void {
    this.#stopped = false;
    this.wake();
  }

  /** Runs a pass now, or right after the one running. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#pass !== undefined) {
      this.#again = true;
      return;
    }
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pass = this.pass().finally(() => {
      this.#pass = undefined;
      if (this.#stopped) return;
      if (this.#again) {
        this.#again = false;
        this.wake();
      } else this.#timer = this.timers.setTimeout(() => this.wake(), this.pollMs);
    });
  }

  /** No pass starts after this; resolves once the running one ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer);
    await this.#pass;
  }

  /** Resolves once the running pass (if any) ended. */
  async settled(): Promise<void> {
    await this.#pass;
  }
}
