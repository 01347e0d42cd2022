// A bounded log kept in memory: the inspector shows the latest entries, and a long-running sandbox
// never grows without end. Entries are lost on restart; the sandbox is for looking, not for records.
export class RingLog<T> {
  private readonly entries: T[] = [];

  constructor(private readonly capacity: number) {}

  push(entry: T): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  /** Newest first. */
  newest(matches: (entry: T) => boolean = () => true): T[] {
    return this.entries.filter(matches).reverse();
  }
}
