/**
 * The loop both workers share: run a cycle, sleep until the next due time, the poll interval or a
 * poke, whichever comes first. A poke that arrives while a cycle runs is remembered, so work that
 * appears mid-cycle is picked up at once instead of after the poll interval.
 */
export abstract class PollingWorker {
  private running = false;
  private pending = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  /** Runs one cycle; returns how long to wait before the next one (0 = at once). */
  protected abstract cycle(): Promise<number>;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New work may be due: stop sleeping (or skip the next sleep). */
  poke(): void {
    if (this.wake) this.wake();
    else this.pending = true;
  }

  /** Stops after the current cycle. */
  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loop;
  }

  protected get isRunning(): boolean {
    return this.running;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const wait = await this.cycle();
      if (wait > 0 && this.running) await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
