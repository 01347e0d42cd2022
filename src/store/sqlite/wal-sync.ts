// Durability of the embedded store's commits, off the event loop. The writer connection runs with
// synchronous=NORMAL, so COMMIT only writes the WAL (no fsync on the event loop); before any
// caller of a group hears its result, the WAL file is fsynced here, on libuv's thread pool. That
// is what synchronous=FULL does at every commit (sync the WAL), moved off the main thread: while
// one group's fsync runs, the server goes on parsing requests and reading. One fsync covers every
// commit made before it starts, so concurrent groups share it.
import fs from 'node:fs';

export class WalSync {
  private handle: fs.promises.FileHandle | null = null;
  private inode = -1;
  /** The fsync in flight, and the one that will start after it (for commits made meanwhile). */
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly walPath: string) {}

  /** Resolves once every commit made before this call is on disk. */
  sync(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    const after = () => {
      this.queued = null;
      return this.start();
    };
    this.queued = this.running.then(after, after);
    return this.queued;
  }

  async close(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.queued?.catch(() => undefined);
    await this.handle?.close();
    this.handle = null;
  }

  private start(): Promise<void> {
    const run = this.fsync().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async fsync(): Promise<void> {
    // The WAL stays while a connection is open, but a file recreated under the same name is a
    // different inode: sync the one that exists now. The stat is synchronous: a few microseconds
    // on a cached inode, where the promise form's trip through the thread pool cost a group more.
    const stat = fs.statSync(this.walPath);
    if (!this.handle || stat.ino !== this.inode) {
      await this.handle?.close();
      this.handle = await fs.promises.open(this.walPath, 'r');
      this.inode = (await this.handle.stat()).ino;
    }
    await this.handle.sync();
  }
}
