// Top-ups from and withdrawals to a bound card, through the card's best channel (the router picks
// among the banks it is bound at; a bank's own failure is retried once on the next). The ledger
// moves first (a pending transfer between that bank's reserve and the wallet), then the bank is
// asked; its answer posts or voids the pending transfer. An unknown answer leaves it pending until `resolvePending` learns the outcome by query
// or reconciliation reads it on the bank's statement (the `...ByStatement` methods below).
import type { Clock } from '../../engine/clock.ts';
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import { settlePendingEvent, TransferFlag, type TransferResult, transferEvent } from '../../ledger/index.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import type { BankClient, MoneyResult } from '../channels/bank-client-types.ts';
import type { ChannelRouter } from '../channels/routing.ts';
import { AccountCode, derivedId, reserveAccountId, TransferCode, walletAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { type WalletService } from '../wallet/wallet.ts';
import { WalletError } from '../wallet/wallet-errors.ts';
import type { CardRecord, CardService } from './cards.ts';
import { joinRouter, rankChannels, retryRequestId, worthRetrying } from './channel-choice.ts';

export type OperationKind = 'topup' | 'withdrawal';
/** `reversed`: posted, then undone by reconciliation because the bank never made it. */
export type OperationStatus = 'started' | 'pending' | 'succeeded' | 'failed' | 'reversed';

export interface MoneyInput {
  readonly cardId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly requestId: string;
}

export interface ChannelOperation {
  readonly opId: string;
  readonly kind: OperationKind;
  readonly status: OperationStatus;
  readonly reason: string;
}

/** An operation as reconciliation sees it: what Formica asked the bank to move, and how it ended. */
export interface OperationRecord {
  readonly opId: string;
  readonly userId: string;
  readonly kind: OperationKind;
  readonly bank: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly status: OperationStatus;
  readonly createdAt: number;
}

interface OpRow extends Record<string, unknown> {
  op_id: string;
  user_id: string;
  kind: string;
  request_id: string;
  card_id: string;
  bank: string;
  amount_minor: bigint;
  currency: string;
  pending_id: string;
  status: string;
  reason: string;
  created_at: bigint;
}

const CREATED: ReadonlySet<TransferResult> = new Set(['ok', 'exists']);
const POSTED: ReadonlySet<TransferResult> = new Set(['ok', 'exists', 'pending_transfer_already_posted']);
const VOIDED: ReadonlySet<TransferResult> = new Set(['ok', 'exists', 'pending_transfer_already_voided', 'pending_transfer_expired']);

export class CardPaymentsService {
  constructor(
    private readonly db: SqlDatabase,
    private readonly engine: LedgerEngine,
    private readonly clock: Clock,
    private readonly bank: BankClient,
    private readonly cards: CardService,
    private readonly wallet: WalletService,
    /** Picks each payment's channel and hears every bank answer (the success rate is a dashboard headline). */
    private readonly router: ChannelRouter,
  ) {}

  topup(userId: string, input: MoneyInput): Promise<ChannelOperation> {
    return this.run(userId, 'topup', input);
  }

  withdraw(userId: string, input: MoneyInput): Promise<ChannelOperation> {
    return this.run(userId, 'withdrawal', input);
  }

  /** Asks the bank about every pending operation and settles those it knows; returns how many. */
  async resolvePending(limit = 100): Promise<{ resolved: number; pending: number }> {
    const rows = await this.db.all<OpRow>("SELECT * FROM channel_operations WHERE status = 'pending' ORDER BY created_at LIMIT ?", [limit]);
    let resolved = 0;
    for (const row of rows) {
      const answer = await this.bank.query(row.bank, row.op_id);
      if (answer.status !== 'found') continue;
      const status = await this.settle(row, answer.operation.status === 'succeeded' ? { status: 'succeeded', bankRef: answer.operation.bankRef } : { status: 'failed', reason: answer.operation.reason ?? 'bank_declined' });
      if (status !== 'pending') resolved += 1;
    }
    return { resolved, pending: rows.length - resolved };
  }

  /** Every bank Formica has a bound card or an operation at: the banks whose statements concern it. */
  async banks(): Promise<string[]> {
    const rows = await this.db.all<{ bank: string }>('SELECT DISTINCT bank FROM channel_operations');
    return [...new Set([...rows.map((r) => r.bank), ...(await this.cards.boundBanks())])].sort();
  }

  /** One operation by its id (also the request id the bank knows it by). */
  async operation(opId: string): Promise<OperationRecord | undefined> {
    const row = await this.find(opId);
    return row && toRecord(row);
  }

  /** A bank's operations created in [fromMs, toMs), oldest first: Formica's side of a statement day. */
  async operationsBetween(bank: string, fromMs: number, toMs: number): Promise<OperationRecord[]> {
    const rows = await this.db.all<OpRow>(
      'SELECT * FROM channel_operations WHERE bank = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, op_id',
      [bank, BigInt(fromMs), BigInt(toMs)],
    );
    return rows.map(toRecord);
  }

  /**
   * Settles a started or pending operation by the bank's statement (succeeded: post, failed: void);
   * a settled one is left alone. Returns the status after.
   */
  async settleByStatement(opId: string, succeeded: boolean, reason: string): Promise<OperationStatus> {
    const row = await this.find(opId);
    if (!row) throw new WalletError('operation_not_found', `no channel operation '${opId}'`);
    if (row.status !== 'started' && row.status !== 'pending') return row.status as OperationStatus;
    // A crash may have left a started operation before its pending transfer: create it (idempotent).
    if (row.status === 'started' && !CREATED.has(await this.createPending(row))) return 'started';
    return this.settle(row, succeeded ? { status: 'succeeded', bankRef: '' } : { status: 'failed', reason });
  }

  /** Marks a posted operation reversed; reconciliation has already posted the reversing transfer. */
  async markReversed(opId: string, reason: string): Promise<void> {
    await this.db.run("UPDATE channel_operations SET status = 'reversed', reason = ? WHERE op_id = ? AND status = 'succeeded'", [reason, opId]);
  }

  private async run(userId: string, kind: OperationKind, input: MoneyInput): Promise<ChannelOperation> {
    requireCny(input.currency);
    const card = await this.cards.bound(userId, input.cardId);
    await this.wallet.openWallet(userId);
    const ranked = rankChannels(this.router, card.channels);
    if (ranked.length === 0) throw new WalletError('card_not_bound', `card '${card.cardId}' has no bound channel`);
    // A replay finds the row already claimed, with the bank chosen the first time.
    const first = await this.claim(userId, kind, input, ranked[0].bank);
    const done = await this.proceed(first, card);
    const retry = { ...input, requestId: retryRequestId(input.requestId) };
    const next = ranked.find((c) => c.bank !== first.bank);
    if (done.retry && next) return (await this.proceed(await this.claim(userId, kind, retry, next.bank), card)).op;
    // A replay of a request that was retried answers with the retry, where the money moved.
    const retried = done.op.status === 'failed' ? await this.find(opIdOf(kind, userId, retry.requestId)) : undefined;
    return retried ? (await this.proceed(retried, card)).op : done.op;
  }

  /** Runs a started operation through its bank; `retry` when the bank failed it for its own reasons. */
  private async proceed(row: OpRow, card: CardRecord): Promise<{ op: ChannelOperation; retry: boolean }> {
    // Only a started operation goes on; any other answers a replay as it stands (reversed too).
    if (row.status !== 'started') return { op: toOperation(row), retry: false };
    const channel = card.channels.find((c) => c.bank === row.bank && c.status === 'bound');
    if (!channel) throw new Error(`operation ${row.op_id} names ${row.bank}, not a bound channel of card ${card.cardId}`);
    await this.ensureReserve(row.bank);
    const created = await this.createPending(row);
    if (!CREATED.has(created)) return this.refuse(row, created);
    const request = { bank: row.bank, token: channel.token, amountMinor: row.amount_minor, currency: row.currency, requestId: row.op_id };
    const answer = row.kind === 'topup' ? await this.bank.debit(request) : await this.bank.credit(request);
    this.recordChannel(row.bank, answer);
    const status = await this.settle(row, answer);
    const op = { opId: row.op_id, kind: toOperation(row).kind, status, reason: answer.status === 'failed' ? answer.reason : '' };
    return { op, retry: status === 'failed' && worthRetrying(answer) };
  }

  private recordChannel(bank: string, answer: MoneyResult): void {
    // A bank first met here joins the router at no known cost, so its rate is tracked too.
    joinRouter(this.router, bank, 0);
    this.router.recordResult(bank, answer);
  }

  /** Records the operation under its request id, or returns the one already recorded. */
  private async claim(userId: string, kind: OperationKind, input: MoneyInput, bank: string): Promise<OpRow> {
    const opId = opIdOf(kind, userId, input.requestId);
    await this.db.run(
      `INSERT INTO channel_operations (op_id, user_id, kind, request_id, card_id, bank, amount_minor, currency, pending_id, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'started', ?) ON CONFLICT (op_id) DO NOTHING`,
      [opId, userId, kind, input.requestId, input.cardId, bank, input.amountMinor, input.currency, opId, BigInt(this.clock.now())],
    );
    const row = await this.find(opId);
    if (!row || row.card_id !== input.cardId || row.amount_minor !== input.amountMinor || row.currency !== input.currency) {
      throw new WalletError('request_id_reused', `request_id '${input.requestId}' was already used for a different ${kind}`);
    }
    return row;
  }

  private find(opId: string): Promise<OpRow | undefined> {
    return this.db.get<OpRow>('SELECT * FROM channel_operations WHERE op_id = ?', [opId]);
  }

  private ensureReserve(bank: string): Promise<void> {
    // An asset the platform holds at the bank. It carries no balance limit: wallets funded by
    // operator adjustments may withdraw more than top-ups brought in, and reconciliation must see
    // that shortfall as a negative reserve rather than a refused withdrawal.
    const id = reserveAccountId(bank, PLATFORM_CURRENCY.code);
    return this.engine.ensureAccount({ id, ledger: PLATFORM_CURRENCY.ledger, code: AccountCode.bankReserve, flags: 0, userData: bank });
  }

  /** Top-up: reserve -> wallet. Withdrawal: wallet -> reserve (held now, so the balance never goes negative). */
  private async createPending(row: OpRow): Promise<TransferResult> {
    const wallet = walletAccountId(row.user_id);
    const reserve = reserveAccountId(row.bank, row.currency);
    const topup = row.kind === 'topup';
    const [outcome] = await this.engine.submitTransfers([
      transferEvent({
        id: row.pending_id,
        debitAccountId: topup ? reserve : wallet,
        creditAccountId: topup ? wallet : reserve,
        amount: row.amount_minor,
        ledger: PLATFORM_CURRENCY.ledger,
        code: topup ? TransferCode.topup : TransferCode.withdrawal,
        flags: TransferFlag.pending,
        userData: row.user_id,
      }),
    ]);
    return outcome.result;
  }

  private async refuse(row: OpRow, result: TransferResult): Promise<never> {
    const reason = result === 'exceeds_credits' ? 'insufficient_funds' : 'transfer_failed';
    await this.mark(row.op_id, 'failed', `${reason}:${result}`);
    if (reason === 'insufficient_funds') throw new WalletError('insufficient_funds', 'the wallet balance is too low for this withdrawal');
    throw new WalletError('transfer_failed', `the ledger refused the transfer (${result})`, { ledger_result: result });
  }

  /** Posts on success, voids on failure, stays pending when the answer is unknown. */
  private async settle(row: OpRow, answer: MoneyResult): Promise<OperationStatus> {
    if (answer.status === 'unknown') {
      await this.mark(row.op_id, 'pending', answer.cause);
      return 'pending';
    }
    const post = answer.status === 'succeeded';
    const result = await this.finish(row, post);
    const done = post ? POSTED.has(result) : VOIDED.has(result);
    if (!done) throw new Error(`cannot ${post ? 'post' : 'void'} ${row.pending_id}: ${result}`);
    const status = post ? 'succeeded' : 'failed';
    await this.mark(row.op_id, status, answer.status === 'failed' ? answer.reason : '');
    return status;
  }

  private async finish(row: OpRow, post: boolean): Promise<TransferResult> {
    const [outcome] = await this.engine.submitTransfers([settlePendingEvent(derivedId(post ? 'pst' : 'vod', row.pending_id), row.pending_id, post)]);
    return outcome.result;
  }

  /** Moves an operation forward; a settled operation never changes again. */
  private async mark(opId: string, status: OperationStatus, reason: string): Promise<void> {
    await this.db.run("UPDATE channel_operations SET status = ?, reason = ? WHERE op_id = ? AND status IN ('started', 'pending')", [status, reason, opId]);
  }
}

/** An operation's id: derived from the caller's request id, and the request id its bank knows it by. */
export function opIdOf(kind: OperationKind, userId: string, requestId: string): string {
  return derivedId(kind === 'topup' ? 'tup' : 'wdr', userId, requestId);
}

function requireCny(code: string): void {
  if (code !== PLATFORM_CURRENCY.code) throw new WalletError('currency_not_supported', `wallets hold ${PLATFORM_CURRENCY.code} only, not '${code}'`);
}

function toRecord(row: OpRow): OperationRecord {
  return {
    opId: row.op_id,
    userId: row.user_id,
    kind: row.kind === 'topup' ? 'topup' : 'withdrawal',
    bank: row.bank,
    amountMinor: row.amount_minor,
    currency: row.currency,
    status: row.status as OperationStatus,
    createdAt: Number(row.created_at),
  };
}

function toOperation(row: OpRow): ChannelOperation {
  return { opId: row.op_id, kind: row.kind === 'topup' ? 'topup' : 'withdrawal', status: row.status as OperationStatus, reason: row.reason };
}
