// The engine: the only way into the ledger's state. It gathers commands from many callers into
// one batch (group commit), runs the pure ledger over it and makes it durable through the store
// before any caller sees its result. Batches run one at a time, so timestamps only increase.
import {
  type AccountEvent,
  type AccountResult,
  accountBatchKeys,
  MAX_BATCH_EVENTS,
  runAccountBatch,
  runExpiry,
  runTransferBatch,
  type Snapshot,
  type TransferEvent,
  type TransferResult,
  transferBatchKeys,
} from '../ledger/index.ts';
import type { SqlExecutor } from '../store/sql.ts';
import type { LedgerStore, OutboxEvent, WriteGroup } from '../store/store.ts';
import { DomainError } from '../domain-error.ts';
import { type Clock, nowNs } from './clock.ts';
import { ledgerBatches, ledgerBatchSize, ledgerCommitSeconds, ledgerEvents } from './metrics.ts';
import { type GroupTally, type Step, sqlStep, type TransferOutcome } from './step.ts';

export type { TransferOutcome } from './step.ts';

interface Waiter<R> {
  resolve(results: R[]): void;
  reject(error: unknown): void;
}

interface TransferJob extends Waiter<TransferOutcome> {
  readonly kind: 'transfers';
  readonly events: readonly TransferEvent[];
  readonly outbox: readonly OutboxEvent[];
  readonly record?: TransferRecord;
}

/**
 * Rows a caller writes about its transfers' outcome in their write group's transaction, so they
 * commit with the transfers (and become durable with them) or not at all. A throw is a bug: the
 * whole group is rolled back and every caller in it gets the error.
 */
export type TransferRecord = (tx: SqlExecutor, outcomes: readonly TransferOutcome[]) => Promise<void>;

/** A module's step; it rides in the same write group as plain transfers. */
interface StepJob {
  readonly kind: 'step';
  readonly step: Step<unknown, unknown>;
  /** What it counts for against the batch limit: its most events, or 1 for module rows only. */
  readonly events: { readonly length: number };
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface AccountJob extends Waiter<AccountResult> {
  readonly kind: 'accounts';
  readonly events: readonly AccountEvent[];
}

interface ExpiryJob extends Waiter<number> {
  readonly kind: 'expiry';
  readonly events: readonly string[];
}

type Job = TransferJob | StepJob | AccountJob | ExpiryJob;

/** Which jobs can share a write group: steps and plain transfers do. */
const GROUP_OF = { transfers: 'transfers', step: 'transfers', accounts: 'accounts', expiry: 'expiry' } as const;

/** Told of every committed transfer batch: each request's events and their results, in order. */
export type TransferBatchListener = (requests: readonly (readonly TransferEvent[])[], results: readonly (readonly TransferResult[])[]) => void;

export class RequestTooLargeError extends DomainError<'batch_too_large'> {
  constructor(message: string) {
    super('batch_too_large', message);
  }
}

export class LedgerEngine {
  private readonly queue: Job[] = [];
  private draining = false;
  /** Groups committed but not yet durable (their callers still wait). */
  private readonly syncing = new Set<Promise<void>>();
  private readonly listeners = new Set<TransferBatchListener>();
  private readonly tallies: GroupTally[] = [];

  constructor(
    readonly store: LedgerStore,
    readonly clock: Clock,
    private readonly maxBatchEvents = MAX_BATCH_EVENTS,
  ) {}

  /** Creates transfers; `outbox` events are written with them when every event is `ok`. */
  async createTransfers(events: readonly TransferEvent[], outbox: readonly OutboxEvent[] = []): Promise<TransferResult[]> {
    const outcomes = await this.submitTransfers(events, outbox);
    return outcomes.map((o) => o.result);
  }

  /**
   * As createTransfers, with each transfer's ledger timestamp. `record`, when given, writes in the
   * same write group once the batch has run (it does not run for an empty request, which has no group).
   */
  submitTransfers(events: readonly TransferEvent[], outbox: readonly OutboxEvent[] = [], record?: TransferRecord): Promise<TransferOutcome[]> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'transfers', events, outbox, record, resolve, reject }));
  }

  /** Runs a module's step in the next write group: claim, plan, ledger and record, one commit. */
  runStep<R>(step: Step<unknown, R>): Promise<R>;
  runStep<C, R>(step: Step<C, R>): Promise<R>;
  runStep<C, R>(step: Step<C, R>): Promise<R> {
    return new Promise<R>((resolve, reject) =>
      this.enqueue({
        kind: 'step',
        step: step as Step<unknown, unknown>,
        events: { length: Math.max(1, step.maxEvents) },
        resolve: resolve as (value: unknown) => void,
        reject,
      }),
    );
  }

  /** Module rows written in the next write group, sharing its commit (the embedded store's writer). */
  write<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.runStep(sqlStep('sql', fn));
  }

  createAccounts(events: readonly AccountEvent[]): Promise<AccountResult[]> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'accounts', events, resolve, reject }));
  }

  /** Opens an account a module relies on; one that exists already is fine, any other refusal is a bug. */
  async ensureAccount(account: AccountEvent): Promise<void> {
    const [result] = await this.createAccounts([account]);
    if (result !== 'ok' && result !== 'exists') throw new Error(`cannot open account ${account.id}: ${result}`);
  }

  /** Expires every pending transfer whose deadline the clock has passed; returns how many. */
  async expireDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = await this.store.duePendingIds(nowNs(this.clock), this.maxBatchEvents);
      if (ids.length === 0) return total;
      const [expired] = await new Promise<number[]>((resolve, reject) => this.enqueue({ kind: 'expiry', events: ids, resolve, reject }));
      total += expired;
      if (ids.length < this.maxBatchEvents) return total;
    }
  }

  /** Adds a tally that steps' claims and records feed and that is written once per write group. */
  addGroupTally(tally: GroupTally): void {
    this.tallies.push(tally);
  }

  /** Observes committed transfer batches (the operations dashboard counts them); returns the unsubscribe. */
  onTransfersCommitted(listener: TransferBatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when every command queued so far has been committed and made durable. */
  async drained(): Promise<void> {
    while (this.draining || this.syncing.size > 0) {
      if (this.syncing.size > 0) await Promise.all(this.syncing);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private enqueue(job: Job): void {
    if (job.events.length > this.maxBatchEvents) {
      job.reject(new RequestTooLargeError(`a request may carry at most ${this.maxBatchEvents} events`));
      return;
    }
    if (job.events.length === 0) {
      job.resolve([]);
      return;
    }
    this.queue.push(job);
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => void this.drain());
    }
  }

  /**
   * Runs the queue group by group. The next group starts as soon as the store has committed the
   * last one, while the store makes that one durable (the embedded store syncs its WAL off the
   * event loop); callers hear their results only once their group is durable.
   */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const jobs = this.takeBatch();
      await new Promise<void>((committed) => {
        const started = performance.now();
        const durable = this.commit(jobs, committed)
          .catch((error: unknown) => {
            for (const job of jobs) job.reject(error);
          })
          .finally(() => {
            committed();
            this.syncing.delete(durable);
            ledgerCommitSeconds.observe((performance.now() - started) / 1000);
          });
        this.syncing.add(durable);
      });
      // Let callers whose turn comes now add their commands to the next batch.
      if (this.queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
    this.draining = false;
  }

  /** The next jobs of one kind, in arrival order, up to the batch limit. */
  private takeBatch(): Job[] {
    const queue = this.queue;
    const kind = GROUP_OF[queue[0].kind];
    let events = 0;
    let count = 0;
    while (count < queue.length) {
      const next = queue[count];
      if (GROUP_OF[next.kind] !== kind || events + next.events.length > this.maxBatchEvents) break;
      events += next.events.length;
      count++;
    }
    // One splice, not a shift per job: shifting a queue of thousands is quadratic.
    const jobs = queue.splice(0, count);
    ledgerBatches.inc({ kind });
    ledgerBatchSize.observe(events);
    return jobs;
  }

  /** Commits one group; `committed` is called once the next group may start (before it is durable). */
  private async commit(jobs: Job[], committed: () => void): Promise<void> {
    const now = nowNs(this.clock);
    const kind = jobs[0].kind;
    if (kind === 'transfers' || kind === 'step') {
      await this.commitGroup(jobs as (TransferJob | StepJob)[], now, committed);
    } else if (kind === 'accounts') {
      const batch = jobs as AccountJob[];
      const requests = batch.map((j) => j.events);
      const compute = (snapshot: Snapshot) => {
        const ran = runAccountBatch(snapshot, requests, now);
        return { effects: ran.effects, outbox: [], value: ran.results };
      };
      const results = await this.store.writeGroup((group) => group.apply(accountBatchKeys(requests), compute), committed);
      countResults('accounts', results);
      batch.forEach((job, i) => {
        job.resolve(results[i]);
      });
    } else {
      const ids = jobs.flatMap((j) => j.events as string[]);
      const keys = { accountIds: new Set<string>(), transferIds: new Set(ids) };
      const compute = (snapshot: Snapshot) => {
        const outcome = runExpiry(snapshot, ids, now);
        return { effects: outcome.effects, outbox: [], value: outcome.effects.resolvedPending.length };
      };
      const expired = await this.store.writeGroup((group) => group.apply(keys, compute), committed);
      for (const job of jobs as ExpiryJob[]) job.resolve([expired]);
    }
  }

  /**
   * One write group: each step's claim and plan (a refused claim undoes only its own writes), then
   * one ledger batch of every request, then each step's record; one commit. Callers learn their
   * results only after it is durable.
   */
  private async commitGroup(jobs: readonly (TransferJob | StepJob)[], now: bigint, committed: () => void): Promise<void> {
    const nowMs = this.clock.now();
    const tallies = this.tallies;
    const ran = await this.store.writeGroup(async (group) => {
      for (const tally of tallies) tally.begin(group.sql);
      try {
        return await this.claimApplyRecord(group, jobs, now, nowMs);
      } finally {
        // Before the commit: the next group may start as soon as this one has committed.
        for (const tally of tallies) tally.end();
      }
    }, committed);
    countResults('transfers', ran.batch.results);
    this.notify(ran.requests, ran.batch.results);
    // By position, not indexOf per job: a group of thousands of callers would be quadratic.
    const at = new Map<TransferJob | StepJob, number>(ran.members.map((job, i) => [job, i]));
    for (const job of jobs) {
      if (job.kind === 'transfers') job.resolve(ran.batch.outcomes[at.get(job)!]);
      else if (ran.refused.has(job)) job.reject(ran.refused.get(job));
      else job.resolve(ran.recorded.get(job));
    }
  }

  /** The group's work: claims (each in its savepoint), one ledger batch, records, the tallies' writes. */
  private async claimApplyRecord(group: WriteGroup, jobs: readonly (TransferJob | StepJob)[], now: bigint, nowMs: number) {
    const tallies = this.tallies;
    const claimed = new Map<StepJob, { claimed: unknown; events: readonly TransferEvent[] }>();
    const refused = new Map<StepJob, unknown>();
    for (const job of jobs) {
      if (job.kind !== 'step') continue;
      try {
        claimed.set(job, await group.isolated(() => claimAndPlan(job.step, group.sql, nowMs)));
      } catch (error) {
        refused.set(job, error);
      }
      for (const tally of tallies) tally.claimEnded(!refused.has(job));
    }
    const members = jobs.filter((job) => job.kind === 'transfers' || claimed.has(job));
    const requests = members.map((job) => (job.kind === 'transfers' ? job.events : claimed.get(job)!.events));
    const batch = await this.applyTransfers(group, members, requests, now);
    const recorded = new Map<StepJob, unknown>();
    for (let i = 0; i < members.length; i++) {
      const job = members[i];
      if (job.kind === 'step') recorded.set(job, await recordLoudly(job.step, group.sql, claimed.get(job)!.claimed, batch.outcomes[i]));
    }
    for (let i = 0; i < members.length; i++) {
      const job = members[i];
      if (job.kind === 'transfers' && job.record) await recordTransfers(job.record, group.sql, batch.outcomes[i]);
    }
    for (const tally of tallies) await tally.flush(group.sql);
    return { batch, members, requests, recorded, refused };
  }

  /** The group's ledger batch, skipped when no request has an event. */
  private async applyTransfers(
    group: WriteGroup,
    members: readonly (TransferJob | StepJob)[],
    requests: readonly (readonly TransferEvent[])[],
    now: bigint,
  ): Promise<{ results: TransferResult[][]; outcomes: TransferOutcome[][] }> {
    if (requests.every((r) => r.length === 0)) return { results: requests.map(() => []), outcomes: requests.map(() => []) };
    const outcome = await group.apply(transferBatchKeys(requests), (snapshot) => {
      const batch = runTransferBatch(snapshot, requests, now);
      const outbox = members.flatMap((job, i) => (job.kind === 'transfers' && batch.results[i].every((r) => r === 'ok') ? job.outbox : []));
      return { effects: batch.effects, outbox, value: batch };
    });
    const outcomes = outcome.results.map((list, i) => list.map((result, j) => ({ result, timestamp: outcome.timestamps[i][j] })));
    return { results: outcome.results, outcomes };
  }

  /** A listener's failure is its own: the batch is committed and its callers get their results. */
  private notify(requests: readonly (readonly TransferEvent[])[], results: readonly (readonly TransferResult[])[]): void {
    for (const listener of this.listeners) {
      try {
        listener(requests, results);
      } catch (error) {
        console.error('transfer batch listener failed:', error);
      }
    }
  }
}

async function claimAndPlan(step: Step<unknown, unknown>, tx: SqlExecutor, nowMs: number): Promise<{ claimed: unknown; events: readonly TransferEvent[] }> {
  const claimed = await step.claim(tx, nowMs);
  const events = step.plan(claimed, nowMs);
  if (events.length > step.maxEvents) throw new Error(`step ${step.name} planned ${events.length} events, more than its ${step.maxEvents}`);
  return { claimed, events };
}

async function recordLoudly(step: Step<unknown, unknown>, tx: SqlExecutor, claimed: unknown, outcomes: readonly TransferOutcome[]): Promise<unknown> {
  try {
    return await step.record(tx, claimed, outcomes);
  } catch (error) {
    console.error(`step ${step.name} could not record its outcome; the write group is rolled back:`, error);
    throw error;
  }
}

async function recordTransfers(record: TransferRecord, tx: SqlExecutor, outcomes: readonly TransferOutcome[]): Promise<void> {
  try {
    await record(tx, outcomes);
  } catch (error) {
    console.error('a transfer request could not record its outcome; the write group is rolled back:', error);
    throw error;
  }
}

function countResults(kind: string, results: readonly (readonly string[])[]): void {
  const tally = new Map<string, number>();
  for (const list of results) for (const r of list) tally.set(r, (tally.get(r) ?? 0) + 1);
  for (const [result, n] of tally) ledgerEvents.inc({ kind, result }, n);
}
