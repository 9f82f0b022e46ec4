/**
 * A counting semaphore with FIFO hand-over.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(2);
 * await slots.acquire();
 * try { await work(); } finally { slots.release(); }
 * ```
 */
export class Semaphore {
  #free: number;
  #waiters: Array<() => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }
}
