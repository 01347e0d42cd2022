// How a trade command changes a trade, the same way for every command: it takes the trade's turn
// (commands on one trade queue; a step a crash left in flight is finished first), then either runs
// a step on the books (claim the trade, the pure plan of trade-plans.ts, record the outcome: one
// commit with the ledger batch) or applies a change that moves no money. Both end in applyIn,
// which writes the change with what goes with it and the merchant's notification. A refund's step
// also carries the parts other modules added to it (RefundPart): their rows and moves commit with
// the refund or not at all.
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import { KeyedLock } from '../../engine/keyed-lock.ts';
import type { TransferEvent } from '../../ledger/index.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import { platformRevenueAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { type LedgerVerdict, ledgerVerdict, type Step, type StepRunner, type TransferOutcome } from '../books/step-runner.ts';
import type { SpendingLimits } from '../wallet/spending-limits.ts';
import { busy, notExist, TradeError } from './trade-errors.ts';
import { assertMoneySplit, MAX_TRADE_EVENTS, notifies, type Op, type Plan, planStep, statusAfter, type TradeChange, tradeSpendKey } from './trade-plans.ts';
import { chain } from './trade-ledger.ts';
import type { TradeStore } from './trade-store.ts';
import { notificationEvent, type RefundMade, type Trade, type TradeRecord, type TradeRef, toTrade } from './trade-types.ts';

/** How a step claims its trade: it names itself (`op`) in flight with its own columns; false when the trade moved. */
type Claim = (tx: SqlExecutor, op: string, atMs: number) => Promise<boolean>;

/** How a step ended: the trade after it, and the refusal to throw when the ledger said no. */
interface Ended {
  readonly after: TradeRecord;
  readonly refusal: TradeError | null;
}

/**
 * Another module's part of every refund's step, added at the composition root: its claim runs in
 * the refund's claim (after the trade counts the refund), its moves are chained after the refund's
 * so that both land or neither does, and its record learns which, in the same transaction. The
 * trade module knows nothing of what the part is for.
 */
export interface RefundPart<Claimed> {
  readonly name: string;
  /** The most events `plan` returns. */
  readonly maxEvents: number;
  claim(tx: SqlExecutor, refund: RefundMade, nowMs: number): Promise<Claimed>;
  /** Pure: the moves, applied right after the refund's, in its chain. */
  plan(claimed: Claimed, nowMs: number): readonly TransferEvent[];
  /** `applied`: the refund and these moves landed; otherwise neither did, and the part puts its rows back. */
  record(tx: SqlExecutor, claimed: Claimed, applied: boolean, outcomes: readonly TransferOutcome[]): Promise<void>;
}

/** A part as one refund claimed it, with the moves it planned. */
interface ClaimedPart {
  readonly part: RefundPart<unknown>;
  readonly claimed: unknown;
  readonly events: readonly TransferEvent[];
}

/** What a trade step claimed: the trade, its plan, and (a refund) the parts' claims. */
interface Claimed {
  readonly t: TradeRecord;
  readonly plan: Plan;
  readonly parts: readonly ClaimedPart[];
}

export class TradeSteps {
  private readonly turns = new KeyedLock();
  private readonly revenueAccountId = platformRevenueAccountId(PLATFORM_CURRENCY.code);
  private readonly refundParts: RefundPart<unknown>[] = [];

  constructor(
    private readonly store: TradeStore,
    private readonly runner: StepRunner,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly limits: SpendingLimits,
  ) {}

  addRefundPart<C>(part: RefundPart<C>): void {
    this.refundParts.push(part as RefundPart<unknown>);
  }

  /** Takes the trade's turn, finishes any step left in flight, and hands `fn` the trade as it is. */
  locked<T>(tradeNo: string, fn: (t: TradeRecord) => Promise<T>): Promise<T> {
    return this.turns.run(tradeNo, async () => {
      let t = await this.reload(tradeNo);
      if (t.pendingOp !== undefined) t = await this.resume(t);
      return fn(t);
    });
  }

  /** As locked, but an unknown trade number is refused before it waits for a turn. */
  async lockedIfKnown<T>(tradeNo: string, fn: (t: TradeRecord) => Promise<T>): Promise<T> {
    await this.reload(tradeNo);
    return this.locked(tradeNo, fn);
  }

  /** As locked, for the trade's buyer only; anyone else is told it does not exist. */
  buyerLocked<T>(buyerUserId: string, tradeNo: string, fn: (t: TradeRecord) => Promise<T>): Promise<T> {
    return this.locked(tradeNo, async (t) => {
      if (t.buyerUserId !== buyerUserId) throw notExist();
      return fn(t);
    });
  }

  /** As locked, for a trade of this merchant named by either of its numbers. */
  async merchantLocked<T>(merchantId: string, ref: TradeRef, fn: (t: TradeRecord) => Promise<T>): Promise<T> {
    const found = await this.find(merchantId, ref);
    return this.locked(found.tradeNo, fn);
  }

  async reload(tradeNo: string): Promise<TradeRecord> {
    const t = await this.store.trade(tradeNo);
    if (!t) throw notExist();
    return t;
  }

  /** The merchant's trade; another merchant's, or numbers that do not match, do not exist. */
  async find(merchantId: string, ref: TradeRef): Promise<TradeRecord> {
    let t: TradeRecord | undefined;
    if (ref.tradeNo) t = await this.store.trade(ref.tradeNo);
    else if (ref.outTradeNo) t = await this.store.byOutTradeNo(merchantId, ref.outTradeNo);
    else throw new TradeError('INVALID_PARAMETER', 'trade_no or out_trade_no is required');
    if (!t || t.merchantId !== merchantId) throw notExist();
    if (ref.tradeNo && ref.outTradeNo && t.outTradeNo !== ref.outTradeNo) throw notExist();
    return t;
  }

  /** The escrow goes to the seller: posted with the fee in one chain. */
  async settle(t: TradeRecord): Promise<Trade> {
    return toTrade((await this.run(t, { kind: 'settle' }, (tx, op, at) => this.store.claimSettle(tx, t, op, at)))!);
  }

  /**
   * Claims `op` on the trade (with `alsoClaim` in the same transaction: false there means a
   * replay, and nothing is claimed), moves its money and records how it ended, in one commit.
   * Returns the trade after, or null for a replay; throws the ledger's refusal once it is recorded.
   */
  async run(
    t: TradeRecord,
    op: Op,
    claim: Claim,
    alsoClaim?: (tx: SqlExecutor) => Promise<boolean>,
    checkClaimed?: (tx: SqlExecutor) => Promise<void>,
  ): Promise<TradeRecord | null> {
    const ended = await this.runner.run(
      this.step(`trade.${op.kind}`, op.kind === 'refund', async (tx) => {
        if (alsoClaim && !(await alsoClaim(tx))) return null;
        if (!(await claim(tx, JSON.stringify(op), this.clock.now()))) throw busy();
        await checkClaimed?.(tx);
        return (await this.store.trade(t.tradeNo, tx))!;
      }),
    );
    if (ended?.refusal) throw ended.refusal;
    return ended?.after ?? null;
  }

  /** Finishes a step left in flight (claimed by a version that recorded apart); its refusal, if any, is recorded. */
  private async resume(t: TradeRecord): Promise<TradeRecord> {
    const ended = await this.runner.run(
      this.step('trade.resume', true, async (tx) => {
        const current = await this.store.trade(t.tradeNo, tx);
        return current?.pendingOp ? current : null;
      }),
    );
    return ended?.after ?? (await this.store.trade(t.tradeNo))!;
  }

  /**
   * A step whose claim yields the claimed trade (null: nothing to do); its plan is planStep's, and a
   * refund's carries the refund parts (`mayRefund`: the step may be a refund, so it makes room for them).
   */
  private step(name: string, mayRefund: boolean, claim: (tx: SqlExecutor) => Promise<TradeRecord | null>): Step<Claimed | null, Ended | null> {
    const partEvents = mayRefund ? this.refundParts.reduce((n, p) => n + p.maxEvents, 0) : 0;
    return {
      name,
      maxEvents: MAX_TRADE_EVENTS + partEvents,
      claim: async (tx, nowMs) => {
        const t = await claim(tx);
        if (!t) return null;
        const op = JSON.parse(t.pendingOp!) as Op;
        const parts = op.kind === 'refund' ? await this.claimParts(tx, t, op, nowMs) : [];
        return { t, plan: planStep(t, op, this.revenueAccountId, nowMs), parts };
      },
      // One chain, so a refund and its parts' moves land all or none.
      plan: (claimed) => (claimed ? chain([...claimed.plan.events, ...claimed.parts.flatMap((p) => p.events)]) : []),
      record: async (tx, claimed, outcomes) => {
        if (!claimed) return null;
        const { t, plan, parts } = claimed;
        // One chain: the parts' moves landed exactly when the refund's did.
        const applied = ledgerVerdict(outcomes).applied;
        let at = plan.events.length;
        for (const p of parts) {
          await p.part.record(tx, p.claimed, applied, outcomes.slice(at, at + p.events.length));
          at += p.events.length;
        }
        const after = await this.applyIn(tx, t, applied ? plan.success : plan.failure, t.pendingOp, this.clock.now());
        if (!after) throw new Error(`trade ${t.tradeNo} moved under its own claimed step`);
        return { after, refusal: applied ? null : refusal(ledgerVerdict(outcomes.slice(0, plan.events.length)), plan.noFunds) };
      },
    };
  }

  /** Each refund part's claim and moves for the refund `op` claimed on `t` (which already counts it). */
  private async claimParts(tx: SqlExecutor, t: TradeRecord, op: Op & { kind: 'refund' }, nowMs: number): Promise<ClaimedPart[]> {
    const refund: RefundMade = { tradeNo: t.tradeNo, buyerUserId: t.buyerUserId!, outRequestNo: op.outRequestNo, refundMinor: BigInt(op.amountMinor) };
    const claimed: ClaimedPart[] = [];
    for (const part of this.refundParts) {
      const c = await part.claim(tx, refund, nowMs);
      claimed.push({ part, claimed: c, events: part.plan(c, nowMs) });
    }
    return claimed;
  }

  /** Applies a change that moves no money, in its own transaction; undefined when the trade moved meanwhile. */
  change(t: TradeRecord, c: TradeChange): Promise<TradeRecord | undefined> {
    const now = this.clock.now();
    return this.store.transaction((tx) => this.applyIn(tx, t, c, undefined, now));
  }

  /** As change; a trade changed meanwhile is told to retry. */
  async changeOrRetry(t: TradeRecord, c: TradeChange): Promise<Trade> {
    const after = await this.change(t, c);
    if (!after) throw busy();
    return toTrade(after);
  }

  /**
   * Writes `c` with a compare-and-set on the trade's status and its step `op`, with what goes with
   * it in the same transaction (the refund's row, limits given back) and the notification of the
   * change, queued as a neutral event (the merchant module words it when it is sent).
   */
  private async applyIn(tx: SqlExecutor, t: TradeRecord, c: TradeChange, op: string | undefined, nowMs: number): Promise<TradeRecord | undefined> {
    const to = statusAfter(t.status, c);
    if (!(await this.store.apply(tx, t, to, op, c))) return undefined;
    if (c.kind === 'pay_refused' && t.fundingSource !== 'card') {
      // A refused balance payment gives its amount back to the limits; card money never counted.
      await this.limits.release(tx, tradeSpendKey(t.buyerUserId!, t.tradeNo, t.payRequestId!));
    }
    const refunded = c.kind === 'refunded_held' || c.kind === 'refunded_settled';
    if (refunded || c.kind === 'refund_refused') {
      await this.store.endRefund(tx, t.tradeNo, c.outRequestNo, refunded ? 'done' : 'failed', c.refundedTotalMinor, c.atMs);
    }
    const after = (await this.store.trade(t.tradeNo, tx))!;
    assertMoneySplit(after);
    if (notifies(t.status, to, c) && after.notifyUrl) {
      const event = notificationEvent(after, nowMs, refunded ? c.atMs : undefined);
      await this.store.enqueueNotification(tx, this.ids.next('ntf'), after.notifyUrl, event);
    }
    return after;
  }
}

/** The ledger's refusal of a trade step, as the caller is told (a chain a part's move broke is the system's error). */
function refusal(verdict: LedgerVerdict, noFunds: Plan['noFunds']): TradeError {
  if (verdict.applied) return new TradeError('SYSTEM_ERROR', 'the ledger refused a move added to the refund');
  if (verdict.reason === 'insufficient_funds' && noFunds !== 'SYSTEM_ERROR') return new TradeError(noFunds, 'the balance is not enough for this payment');
  return new TradeError('SYSTEM_ERROR', `the ledger refused the step (${verdict.result})`, { ledger_result: verdict.result });
}
