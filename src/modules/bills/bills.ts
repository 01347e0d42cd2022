// Bill payments: the directory, the bill lookup, and payments from the balance or a bound card.
// A payment holds the money, then asks the biller; the biller confirms asynchronously, so a
// pending payment is queried (never guessed) until the biller says confirmed or refused. A
// confirmation posts the hold, a refusal voids it (the money is back where it came from: the
// wallet, then the card for a card payment).
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import type { CardPaymentsService } from '../cards/card-payments.ts';
import type { CardService } from '../cards/cards.ts';
import { AccountCode, billerCollectionsAccountId, billerPayoutsAccountId, billerSuspenseAccountId, derivedId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { StepRunner } from '../books/step-runner.ts';
import type { WalletService } from '../wallet/wallet.ts';
import type { BillerAnswer, BillerBill, BillerClient } from './biller-client.ts';
import type { ReconciliationService } from '../reconciliation/reconciliation.ts';
import { Autopays } from './autopay.ts';
import { BillerSettlements } from './biller-settlement.ts';
import { type Finish, finishStep, holdStep, type PaymentRow, type PaymentStatus } from './bill-steps.ts';
import { BillError } from './bills-errors.ts';
import { BILLS_MIGRATIONS } from './bills-schema.ts';
import { BILLERS, type Biller, billerOf, findBillers } from './directory.ts';

export const MIN_BILL_MINOR = 1n;
export const MAX_BILL_MINOR = 10_000_000_000n;
/** Waits between queries of a pending payment: soon at first, then once a minute. */
const QUERY_BACKOFF_MS = [2_000, 5_000, 15_000, 30_000, 60_000];

export interface PayInput {
  readonly chargeInst: string;
  readonly billKey: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** 'balance' or a bound card's id. */
  readonly funding: string;
  readonly requestId: string;
  readonly autopayId?: string;
}

export interface BillView extends BillerBill {
  readonly holderMasked: string;
}

export interface BillsDeps {
  readonly db: SqlDatabase;
  readonly engine: LedgerEngine;
  readonly runner: StepRunner;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly wallet: WalletService;
  readonly biller: BillerClient;
  readonly cards: CardService;
  readonly cardPayments: CardPaymentsService;
  readonly reconciliation: ReconciliationService;
}

export class BillsService {
  /** Automatic monthly payments, run by a job on the clock. */
  readonly autopays: Autopays;
  /** Each day: every biller's file reconciled, then its collections paid out less the fee. */
  readonly settlements: BillerSettlements;

  private constructor(private readonly deps: BillsDeps) {
    this.autopays = new Autopays(deps.db, deps.clock, deps.ids, this);
    this.settlements = new BillerSettlements(deps.db, deps.runner, deps.clock, this, deps.biller, deps.reconciliation);
  }

  static async open(deps: BillsDeps): Promise<BillsService> {
    await deps.db.migrate('bills', BILLS_MIGRATIONS);
    await openBillerAccounts(deps.engine);
    const service = new BillsService(deps);
    deps.runner.onResume('bills', () => service.resolvePending());
    return service;
  }

  billers(filter: { city?: string; kind?: string }): Biller[] {
    return findBillers(filter);
  }

  async lookup(chargeInst: string, billKey: string): Promise<BillView> {
    requireBiller(chargeInst);
    const found = await this.deps.biller.lookup(chargeInst, billKey);
    if (found.status === 'not_found') throw new BillError('bill_not_found', `${chargeInst} has no bill ${billKey}`);
    if (found.status === 'unknown') throw new BillError('biller_unavailable', `the biller did not answer: ${found.message}`);
    return { ...found.bill, holderMasked: maskHolder(found.bill.holderName) };
  }

  /** Pays a bill; idempotent on the payer's request id (the same id with other fields is refused). */
  async pay(userId: string, input: PayInput): Promise<PaymentRow> {
    requireAmount(input);
    requireBiller(input.chargeInst);
    const existing = await this.find(userId, input.requestId);
    if (existing) return replay(existing, input);
    await this.lookup(input.chargeInst, input.billKey);
    await this.deps.wallet.ensureWallet(userId);
    if (input.funding !== 'balance') await this.fundFromCard(userId, input);
    const now = this.deps.clock.now();
    const paymentId = this.deps.ids.next('bpay');
    const row: PaymentRow = {
      payment_id: paymentId,
      user_id: userId,
      request_id: input.requestId,
      charge_inst: input.chargeInst,
      bill_key: input.billKey,
      amount_minor: input.amountMinor,
      currency: input.currency,
      funding: input.funding,
      autopay_id: input.autopayId ?? '',
      status: 'pending',
      reason: '',
      hold_transfer_id: derivedId('bph', paymentId),
      card_refund: '',
      next_query_at: BigInt(now + QUERY_BACKOFF_MS[0]),
      queries: 0n,
      created_at: BigInt(now),
      confirmed_at: null,
      finished_at: null,
    };
    const held = await this.deps.runner.run(holdStep(row));
    if (held === null) return replay((await this.find(userId, input.requestId))!, input);
    if (!held.applied) throw new BillError('insufficient_funds', 'the balance is too low for this bill', { ledger_result: held.result });
    await this.apply(row, await this.deps.biller.pay(billerRequest(row)));
    return (await this.get(paymentId))!;
  }

  get(paymentId: string): Promise<PaymentRow | undefined> {
    return this.deps.db.get<PaymentRow>('SELECT * FROM bill_payments WHERE payment_id = ?', [paymentId]);
  }

  /** The caller's own payment; another user's is as unknown as a missing one. */
  async owned(userId: string, paymentId: string): Promise<PaymentRow> {
    const row = await this.get(paymentId);
    if (!row || row.user_id !== userId) throw new BillError('payment_not_found', `no bill payment ${paymentId}`);
    return row;
  }

  /** Asks the biller about every pending payment whose query is due; returns how many ended. */
  async resolvePending(limit = 100): Promise<number> {
    const now = BigInt(this.deps.clock.now());
    const due = await this.deps.db.all<PaymentRow>(
      "SELECT * FROM bill_payments WHERE status = 'pending' AND next_query_at <= ? ORDER BY next_query_at LIMIT ?",
      [now, limit],
    );
    let ended = 0;
    for (const row of due) if (await this.apply(row, await this.deps.biller.query(row.payment_id))) ended++;
    for (const row of await this.deps.db.all<PaymentRow>("SELECT * FROM bill_payments WHERE card_refund = 'due' LIMIT ?", [limit]))
      await this.refundToCard(row);
    return ended;
  }

  /** When the next pending payment is due to be queried (clock ms), or null when none waits. */
  async nextQueryDue(): Promise<number | null> {
    const row = await this.deps.db.get<{ at: bigint | null }>("SELECT MIN(next_query_at) AS at FROM bill_payments WHERE status = 'pending'");
    return row?.at == null ? null : Number(row.at);
  }

  /** A pending payment the biller's settlement file lists is confirmed (as of the file's time). */
  confirmByFile(paymentId: string, confirmedAt: number | null): Promise<PaymentStatus> {
    const atMs = this.deps.clock.now();
    return this.finish({ paymentId, outcome: 'completed', reason: 'confirmed by the settlement file', atMs, confirmedAt: confirmedAt ?? atMs });
  }

  /** A pending payment no settlement file lists, two days running, never reached the biller: refunded. */
  refundByFile(paymentId: string, reason: string): Promise<PaymentStatus> {
    return this.finish({ paymentId, outcome: 'refunded', reason, atMs: this.deps.clock.now(), confirmedAt: null });
  }

  /** Reconciliation reversed a completed payment the biller never listed: the money went back to the wallet. */
  async markReversed(paymentId: string, reason: string, tx: SqlExecutor): Promise<void> {
    await tx.run(
      "UPDATE bill_payments SET status = 'refunded', reason = ?, finished_at = ?, card_refund = CASE WHEN funding = 'balance' THEN '' ELSE 'due' END WHERE payment_id = ? AND status = 'completed'",
      [reason, BigInt(this.deps.clock.now()), paymentId],
    );
  }

  /** What each biller collected in [fromMs, toMs): payments confirmed then, and their sum (the dashboard's figures). */
  async collections(fromMs: number, toMs: number): Promise<{ chargeInst: string; payments: number; collectedMinor: bigint }[]> {
    const rows = await this.deps.db.all<{ charge_inst: string; payments: bigint; collected: bigint }>(
      `SELECT charge_inst, COUNT(*) AS payments, SUM(amount_minor) AS collected FROM bill_payments
       WHERE status = 'completed' AND confirmed_at >= ? AND confirmed_at < ? GROUP BY charge_inst ORDER BY charge_inst`,
      [BigInt(fromMs), BigInt(toMs)],
    );
    return rows.map((r) => ({ chargeInst: r.charge_inst, payments: Number(r.payments), collectedMinor: BigInt(r.collected) }));
  }

  /** A biller's payments its file of [fromMs, toMs) should list: confirmed then, or sent then and still unanswered. */
  ofDay(chargeInst: string, fromMs: number, toMs: number): Promise<PaymentRow[]> {
    return this.deps.db.all<PaymentRow>(
      `SELECT * FROM bill_payments WHERE charge_inst = ? AND ((status = 'completed' AND confirmed_at >= ? AND confirmed_at < ?)
         OR (status = 'pending' AND created_at >= ? AND created_at < ?)) ORDER BY created_at, payment_id`,
      [chargeInst, BigInt(fromMs), BigInt(toMs), BigInt(fromMs), BigInt(toMs)],
    );
  }

  /** Acts on the biller's answer; true when the payment ended. */
  private async apply(row: PaymentRow, answer: BillerAnswer): Promise<boolean> {
    const atMs = this.deps.clock.now();
    if (answer.status === 'not_received') return this.apply(row, await this.deps.biller.pay(billerRequest(row)));
    if (answer.status === 'confirmed' || answer.status === 'refused') {
      const confirmed = answer.status === 'confirmed';
      const finish = {
        paymentId: row.payment_id,
        atMs,
        outcome: confirmed ? 'completed' : 'refunded',
        reason: confirmed ? '' : answer.reason,
        confirmedAt: confirmed ? answer.confirmedAt : null,
      } as const;
      return (await this.finish(finish)) !== 'pending';
    }
    const queries = Number(row.queries) + 1;
    const wait = QUERY_BACKOFF_MS[Math.min(queries, QUERY_BACKOFF_MS.length - 1)];
    await this.deps.db.run("UPDATE bill_payments SET next_query_at = ?, queries = ? WHERE payment_id = ? AND status = 'pending'", [
      BigInt(atMs + wait),
      BigInt(queries),
      row.payment_id,
    ]);
    return false;
  }

  /** Ends a pending payment; a refused card payment's money then goes back to the card. Answers the status after. */
  private async finish(finish: Finish): Promise<PaymentStatus> {
    await this.deps.runner.run(finishStep(finish));
    const row = (await this.get(finish.paymentId))!;
    await this.refundToCard(row);
    return row.status;
  }

  /** A card payment's money comes in from the card first, exactly like a top-up. */
  private async fundFromCard(userId: string, input: PayInput): Promise<void> {
    await this.deps.cards.bound(userId, input.funding);
    const op = await this.deps.cardPayments.topup(userId, {
      cardId: input.funding,
      amountMinor: input.amountMinor,
      currency: input.currency,
      requestId: `bill:${input.requestId}`,
    });
    if (op.status === 'failed' || op.status === 'reversed') throw new BillError('card_funding_failed', `the card was not charged: ${op.reason}`);
    if (op.status !== 'succeeded')
      throw new BillError('card_funding_pending', 'the bank has not answered yet; the same request again finishes the payment once it has');
  }

  /** A refused card payment's money goes back to the card; a bank that declines leaves it in the wallet. */
  private async refundToCard(row: PaymentRow): Promise<void> {
    if (row.card_refund !== 'due') return;
    const op = await this.deps.cardPayments.withdraw(row.user_id, {
      cardId: row.funding,
      amountMinor: row.amount_minor,
      currency: row.currency,
      requestId: `bill-refund:${row.payment_id}`,
    });
    const state = op.status === 'failed' || op.status === 'reversed' ? 'in_wallet' : 'sent';
    await this.deps.db.run("UPDATE bill_payments SET card_refund = ? WHERE payment_id = ? AND card_refund = 'due'", [state, row.payment_id]);
  }

  private find(userId: string, requestId: string): Promise<PaymentRow | undefined> {
    return this.deps.db.get<PaymentRow>('SELECT * FROM bill_payments WHERE user_id = ? AND request_id = ?', [userId, requestId]);
  }
}

/** Each biller's collections, payouts and suspense accounts, opened once at start. */
async function openBillerAccounts(engine: LedgerEngine): Promise<void> {
  const account = (id: string, code: number, chargeInst: string) => ({ id, ledger: PLATFORM_CURRENCY.ledger, code, flags: 0, userData: chargeInst });
  const accounts = BILLERS.flatMap((b) => [
    account(billerCollectionsAccountId(b.chargeInst), AccountCode.billerCollections, b.chargeInst),
    account(billerPayoutsAccountId(b.chargeInst), AccountCode.billerPayouts, b.chargeInst),
    account(billerSuspenseAccountId(b.chargeInst), AccountCode.billerSuspense, b.chargeInst),
  ]);
  const results = await engine.createAccounts(accounts);
  results.forEach((result, i) => {
    if (result !== 'ok' && result !== 'exists') throw new Error(`cannot open biller account ${accounts[i].id}: ${result}`);
  });
}

function requireBiller(chargeInst: string): Biller {
  const biller = billerOf(chargeInst);
  if (!biller) throw new BillError('biller_not_found', `no biller ${chargeInst}`);
  return biller;
}

function requireAmount(input: PayInput): void {
  if (input.currency !== PLATFORM_CURRENCY.code) throw new BillError('currency_not_supported', `bills are paid in ${PLATFORM_CURRENCY.code}`);
  if (input.amountMinor < MIN_BILL_MINOR || input.amountMinor > MAX_BILL_MINOR)
    throw new BillError('invalid_amount', 'a bill payment is from 0.01 to 100,000,000.00 CNY');
}

function replay(row: PaymentRow, input: PayInput): PaymentRow {
  const same =
    row.charge_inst === input.chargeInst && row.bill_key === input.billKey && row.amount_minor === input.amountMinor && row.funding === input.funding;
  if (!same) throw new BillError('request_id_reused', `request_id ${input.requestId} was used for another payment`);
  if (row.status === 'failed') throw new BillError('insufficient_funds', 'the balance was too low for this bill');
  return row;
}

function billerRequest(row: PaymentRow) {
  return { paymentId: row.payment_id, chargeInst: row.charge_inst, billKey: row.bill_key, amountMinor: row.amount_minor };
}

/** Only the last character of the holder's name is shown (王芳 -> *芳). */
export function maskHolder(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : `${'*'.repeat(chars.length - 1)}${chars[chars.length - 1]}`;
}
