// The main thread's side of the log layout's materialization: a worker thread
// (materializer-worker.ts) applies durable log rows to the state file, so the writer's commit path
// never writes per-transfer rows and never waits for the state file's checkpoints. The writer tells
// it how far the log is durable; it answers with each new watermark, and the writer then drops
// those rows from its in-memory tail.
//
// The worker is supervised: when it exits, throws or reports an error, the failure is logged and a
// new worker starts, at once the first time and then after a doubling delay, and resumes from the
// state file's `materialized_through` (the state file holds only whole passes). After `maxRestarts`
// failures in a row with no progress between them the supervisor gives up: reads that need the
// state file reject with a clear error instead of waiting for ever, and `health()` says so. It
// still tries one worker every `retryFailedMs`, so a cause that goes away (a full disk freed)
// heals without a restart. The log, the truth, is never touched by any of this.
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

export interface MaterializerOptions {
  /** Failures in a row, with no progress between them, before the supervisor gives up (default 5). */
  readonly maxRestarts?: number;
  /** The delay before the second restart in a row; it doubles up to `maxBackoffMs` (defaults 100 and 5,000). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Once given up, the time between further tries (default 60,000). */
  readonly retryFailedMs?: number;
  /** Waits between restarts; tests pass one that does not sleep. `keepAlive` is false for the
   *  tries after giving up, which nobody waits for and which must not keep a process alive. */
  readonly delay?: (ms: number, keepAlive: boolean) => Promise<void>;
  /** Where failures are reported (default `process.emitWarning`). */
  readonly warn?: (message: string) => void;
}

export type MaterializerState = 'running' | 'restarting' | 'paused' | 'failed' | 'closed';

export interface MaterializerHealth {
  readonly state: MaterializerState;
  /** The last watermark the worker reported, and the last durable seq it was given. */
  readonly materializedThrough: number;
  readonly durableThrough: number;
  /** Workers started after the first, and failures since the last progress. */
  readonly restarts: number;
  readonly failuresInRow: number;
  readonly lastError: string | null;
}

interface Waiter {
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** A pending restart keeps the process alive, as a waiting read would want; a try after giving up
 *  does not, since every wait was rejected when the supervisor gave up. */
function sleep(ms: number, keepAlive: boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    if (!keepAlive) timer.unref();
  });
}

export class Materializer {
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** The last watermark the worker reported, and the highest target it was given. */
  private through: number;
  private target: number;
  private waiters: Waiter[] = [];
  /** Callers waiting for the next watermark (the writer's backpressure). */
  private watchers: Omit<Waiter, 'seq'>[] = [];
  /** Set once the supervisor gives up; every wait on the state file rejects with it. */
  private failure: Error | null = null;
  /** The error the current worker died of, reported when it exits. */
  private dying: Error | null = null;
  private lastError: Error | null = null;
  private failuresInRow = 0;
  private restarts = 0;
  private restarting = false;
  private paused = false;
  private closing = false;
  private readonly maxRestarts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly retryFailedMs: number;
  private readonly delay: (ms: number, keepAlive: boolean) => Promise<void>;
  private readonly warn: (message: string) => void;

  constructor(
    private readonly commitFile: string,
    private readonly stateFile: string,
    from: number,
    private readonly materialized: (seq: number) => void,
    options: MaterializerOptions = {},
  ) {
    this.through = from;
    this.target = from;
    this.maxRestarts = options.maxRestarts ?? 5;
    this.backoffMs = options.backoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.retryFailedMs = options.retryFailedMs ?? 60_000;
    this.delay = options.delay ?? sleep;
    this.warn = options.warn ?? ((message) => process.emitWarning(message, 'FormicaLedgerWarning'));
    this.start();
  }

  /** The log is durable through `seq`: materialize up to there. */
  durable(seq: number): void {
    if (seq <= this.target) return;
    this.target = seq;
    if (!this.paused) this.worker?.postMessage({ through: seq });
  }

  /** Resolves once the state file holds every log row up to `seq` (which must be durable). */
  until(seq: number): Promise<void> {
    if (seq <= this.through) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    const waiting = new Promise<void>((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
    this.hold();
    return waiting;
  }

  /** Resolves at the worker's next new watermark; rejects once the supervisor has given up. */
  progress(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const watching = new Promise<void>((resolve, reject) => this.watchers.push({ resolve, reject }));
    this.hold();
    return watching;
  }

  /** The worker keeps the process alive only while someone waits for it: an idle store lets a
   *  process end, and a command waiting for the state file is not ended under its feet. */
  private hold(): void {
    if (this.closing) return;
    if (this.waiters.length + this.watchers.length > 0) this.worker?.ref();
    else this.worker?.unref();
  }

  health(): MaterializerHealth {
    const state: MaterializerState = this.closing ? 'closed' : this.failure ? 'failed' : this.restarting ? 'restarting' : this.paused ? 'paused' : 'running';
    return {
      state,
      materializedThrough: this.through,
      durableThrough: this.target,
      restarts: this.restarts,
      failuresInRow: this.failuresInRow,
      lastError: this.lastError?.message ?? null,
    };
  }

  /** Test hook: kills the worker as a crash would (the supervisor restarts it). */
  async killWorker(): Promise<void> {
    await this.worker?.terminate();
  }

  /** Test hook: durable seqs are held back from the worker until `resume`, so it stops moving. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    if (this.target > this.through) this.worker?.postMessage({ through: this.target });
  }

  async close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    if (worker) {
      worker.ref();
      worker.postMessage('close');
      await this.exited;
    }
    this.rejectAll(this.failure ?? new Error('the ledger store is closed'));
  }

  private start(): void {
    const worker = new Worker(workerSource(), { eval: true, workerData: { commitFile: this.commitFile, stateFile: this.stateFile } });
    this.worker = worker;
    worker.on('message', (reply: MaterializerReply) => {
      if (this.worker === worker) this.heard(worker, reply);
    });
    worker.on('error', (error) => {
      this.dying ??= error;
    });
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.exit(worker, code);
        resolve();
      }),
    );
    // After the listeners, which ref the worker's port.
    this.hold();
    // A restarted worker finds its watermark in the state file and goes on from there.
    if (this.target > this.through && !this.paused) worker.postMessage({ through: this.target });
  }

  private heard(worker: Worker, reply: MaterializerReply): void {
    if ('error' in reply) {
      // The worker lives on but its connections may not: a fresh one is started.
      this.dying ??= new Error(reply.error);
      void worker.terminate();
      return;
    }
    if (reply.materialized <= this.through) return;
    this.through = reply.materialized;
    this.failuresInRow = 0;
    if (this.failure) {
      this.failure = null;
      this.warn(`materializing the ledger log resumed (materialized through log row ${this.through} of ${this.target})`);
    }
    this.materialized(this.through);
    const ready = this.waiters.filter((w) => w.seq <= this.through);
    this.waiters = this.waiters.filter((w) => w.seq > this.through);
    for (const w of ready) w.resolve();
    const watchers = this.watchers;
    this.watchers = [];
    for (const w of watchers) w.resolve();
    this.hold();
  }

  private exit(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const error = this.dying ?? new Error(`the worker exited with code ${code}`);
    this.dying = null;
    if (this.closing) return;
    this.lastError = error;
    this.failuresInRow++;
    const where = `materialized through log row ${this.through} of ${this.target}`;
    if (this.failuresInRow > this.maxRestarts) {
      this.giveUp(error, where);
      return;
    }
    const wait = this.failuresInRow === 1 ? 0 : Math.min(this.backoffMs * 2 ** (this.failuresInRow - 2), this.maxBackoffMs);
    this.warn(`materializing the ledger log failed (${where}): ${error.message}; restarting the worker in ${wait} ms`);
    this.restarting = true;
    this.restartAfter(wait, true);
  }

  /** Waits (and reads) that need the state file reject from now on, until a later try progresses. */
  private giveUp(error: Error, where: string): void {
    if (!this.failure) {
      this.failure = new Error(
        `the ledger's state file is not being materialized: its worker failed ${this.failuresInRow} times in a row without progress ` +
          `(${where}; last error: ${error.message}). Reads that need the state file fail until a worker, tried every ` +
          `${this.retryFailedMs / 1000} s, makes progress again.`,
      );
      this.warn(this.failure.message);
      this.rejectAll(this.failure);
    }
    this.restartAfter(this.retryFailedMs, false);
  }

  private restartAfter(ms: number, keepAlive: boolean): void {
    void this.delay(ms, keepAlive).then(() => {
      this.restarting = false;
      if (this.closing) return;
      this.restarts++;
      this.start();
    });
  }

  private rejectAll(error: Error): void {
    for (const w of [...this.waiters, ...this.watchers]) w.reject(error);
    this.waiters = [];
    this.watchers = [];
    this.hold();
  }
}
