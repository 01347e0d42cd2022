// The embedded store has one writer connection, shared by the ledger's batches and the modules'
// SQL. Its transactions may await (a module's step is async), so they take turns explicitly:
// without this, a second BEGIN on the same connection would nest inside the open transaction.

export class WriterTurns {
  private tail: Promise<unknown> = Promise.resolve();
  private held = false;

  /** True while a turn is running: a synchronous writer must not start its own transaction now. */
  get busy(): boolean {
    return this.held;
  }

  /** Runs `work` when every earlier turn has finished. */
  take<T>(work: () => Promise<T>): Promise<T> {
    const run = async () => {
      this.held = true;
      try {
        return await work();
      } finally {
        this.held = false;
      }
    };
    const turn = this.tail.then(run, run);
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}
