// The main thread's side of the log layout's materialization: a worker thread
// (materializer-worker.ts) applies durable log rows to the state file, so the writer's commit path
// never writes per-transfer rows and never waits for the state file's checkpoints. The writer tells
// it how far the log is durable; it answers with each new watermark, and the writer then drops
// those rows from its in-memory tail.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MaterializerReply } from './materializer-worker.ts';

/** The worker's entry: TypeScript, so the same loader as the main thread is registered first. */
function workerSource(): string {
  const loader = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./materializer-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
}

export class Materializer {
  private readonly worker: Worker;
  /** The last watermark the worker reported, and the highest target it was given. */
  private through: number;
  private target: number;
  private waiters: { seq: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  private failure: Error | null = null;
  private readonly exited: Promise<void>;

  constructor(
    commitFile: string,
    stateFile: string,
    from: number,
    private readonly materialized: (seq: number) => void,
  ) {
    this.through = from;
    this.target = from;
    this.worker = new Worker(workerSource(), { eval: true, workerData: { commitFile, stateFile } });
    this.worker.unref();
    this.worker.on('message', (reply: MaterializerReply) => this.heard(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** The log is durable through `seq`: materialize up to there. */
  durable(seq: number): void {
    if (seq <= this.target || this.failure) return;
    this.target = seq;
    this.worker.postMessage({ through: seq });
  }

  /** Resolves once the state file holds every log row up to `seq` (which must be durable). */
  until(seq: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (seq <= this.through) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  async close(): Promise<void> {
    if (this.failure) return;
    this.worker.ref();
    this.worker.postMessage('close');
    await this.exited;
  }

  private heard(reply: MaterializerReply): void {
    if ('error' in reply) {
      this.fail(new Error(`materializing the ledger log failed: ${reply.error}`));
      return;
    }
    this.through = Math.max(this.through, reply.materialized);
    this.materialized(this.through);
    const ready = this.waiters.filter((w) => w.seq <= this.through);
    this.waiters = this.waiters.filter((w) => w.seq > this.through);
    for (const w of ready) w.resolve();
  }

  /** The state file stops moving: reads that need it fail loudly; the log (the truth) is untouched. */
  private fail(error: Error): void {
    this.failure ??= error;
    process.emitWarning(error.message);
    for (const w of this.waiters) w.reject(error);
    this.waiters = [];
  }
}
