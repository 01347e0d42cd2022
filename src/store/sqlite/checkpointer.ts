// Checkpoints of the embedded store's WAL, off the commit path. The writer connection never
// checkpoints (wal_autocheckpoint = 0): a checkpoint run inside COMMIT had held a write group, and
// every caller in it, for up to 146 ms. Here a worker thread with its own connection copies
// committed WAL frames into the database file with PASSIVE checkpoints, which never wait for and
// never block the writer or the readers; once a checkpoint has copied every frame, the writer's
// next transaction starts the WAL from its beginning again, so the file stays bounded. At most one
// checkpoint runs at a time, and one starts only when something was committed since the last.
//
// The checkpointing connection runs with synchronous=NORMAL, so SQLite syncs the WAL before copying
// and the database file after: a crash during a checkpoint loses nothing, the WAL still holds it.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The worker's whole program; CommonJS so it needs no loader, with the driver's path given. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ frames: Number(row.log), copied: Number(row.checkpointed) });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
  }
});
`;

/** How often, at most, a checkpoint starts while commits keep coming. */
const CHECKPOINT_INTERVAL_MS = 250;

interface CheckpointReply {
  readonly frames?: number;
  readonly copied?: number;
  readonly error?: string;
}

export interface CheckpointStats {
  checkpoints: number;
  framesCopied: number;
  failures: number;
}

export class Checkpointer {
  readonly stats: CheckpointStats = { checkpoints: 0, framesCopied: 0, failures: 0 };
  private readonly worker: Worker;
  private running: Promise<void> | null = null;
  private dirty = false;
  private lastStartMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Settles when the worker thread has ended, however it ended. */
  private readonly exited: Promise<void>;
  private alive = true;

  constructor(file: string) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    this.worker.unref();
    // A worker that dies (it could not open the file, say) must neither crash the server nor hang
    // close(): the WAL then only grows, and each start of a checkpoint says so.
    this.worker.on('error', (error) => process.emitWarning(`WAL checkpoint worker failed: ${error.message}`));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', () => {
        this.alive = false;
        resolve();
      }),
    );
  }

  /** A group committed: its frames will be copied by a checkpoint soon (never during a commit). */
  committed(): void {
    this.dirty = true;
    this.schedule();
  }

  /** Runs a checkpoint now if anything was committed since the last one; resolves when none is left to run. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    if (this.dirty) this.start();
    await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (!this.alive) return;
    // Held while it closes: an unreferenced worker's exit cannot keep a script's last await alive (exit code 13).
    this.worker.ref();
    this.worker.postMessage('close');
    await this.exited;
  }

  private schedule(): void {
    if (this.closed || this.running || this.timer || !this.dirty) return;
    const wait = Math.max(0, this.lastStartMs + CHECKPOINT_INTERVAL_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.start();
    }, wait);
    this.timer.unref();
  }

  private start(): void {
    if (this.closed || this.running || !this.alive) return;
    this.dirty = false;
    this.lastStartMs = performance.now();
    const stopped = this.exited.then((): CheckpointReply => ({ error: 'the checkpoint worker has stopped' }));
    const replied = new Promise<CheckpointReply>((resolve) => this.worker.once('message', resolve));
    this.running = Promise.race([replied, stopped]).then((reply) => {
      this.running = null;
      this.record(reply);
      this.schedule();
    });
    this.worker.postMessage('checkpoint');
  }

  private record(reply: CheckpointReply): void {
    if (reply.error !== undefined) {
      // The WAL only grows until the next checkpoint succeeds; nothing acknowledged is at risk.
      this.stats.failures++;
      process.emitWarning(`WAL checkpoint failed: ${reply.error}`);
      this.dirty = true;
      return;
    }
    this.stats.checkpoints++;
    this.stats.framesCopied += reply.copied ?? 0;
  }
}
