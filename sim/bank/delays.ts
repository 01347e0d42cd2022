// Network latency and late answers are real waits (the client's timeout is real time), but the
// simulator must be able to stop at once: closing releases every held answer.
export class Delays {
  private readonly pending = new Set<() => void>();

  wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.pending.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.pending.add(release);
    });
  }

  get held(): number {
    return this.pending.size;
  }

  releaseAll(): void {
    for (const release of [...this.pending]) release();
  }
}
