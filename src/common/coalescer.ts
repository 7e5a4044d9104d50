/**
 * Shares one computation among concurrent callers without ever answering from the past:
 * a caller that arrives while a computation runs waits for the *next* one (which starts when
 * the current one ends and serves everyone who arrived meanwhile). So at most one computation
 * runs at a time, and every answer was computed after its caller asked.
 */
export class Coalescer<T> {
  private running: Promise<T> | undefined;
  private next: Promise<T> | undefined;

  constructor(private readonly compute: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.running) return this.start();
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.start();
      });
    return this.next;
  }

  private start(): Promise<T> {
    const run: Promise<T> = this.compute().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}
