import { AppError } from "@proximus/contracts/errors";

/** At most `maxConcurrent` tasks run; up to `maxQueue` wait; beyond that callers get 429 at once. */
export class Limiter {
  private active = 0;
  private waiting: (() => void)[] = [];

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueue: number,
  ) {}

  get running(): number {
    return this.active;
  }
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.maxConcurrent) {
      if (this.waiting.length >= this.maxQueue) {
        throw new AppError("rate_limited", `sandbox queue is full (${this.maxConcurrent} running, ${this.maxQueue} queued)`, {
          running: this.active,
          queued: this.waiting.length,
        });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` never dips and lets a newcomer jump the queue.
      if (next) next();
      else this.active--;
    }
  }
}
