// Top-ups from and withdrawals to a bound card, through the card's best channel (the router picks
// among the banks it is bound at; a bank's own failure is retried once on the next). The ledger
// moves first (a pending transfer between that bank's reserve and the wallet), then the bank is
// asked; its answer posts or voids the pending transfer. An unknown answer leaves it pending until `resolvePending` learns the outcome by query
// or reconciliation reads it on the bank's statement (the `...ByStatement` methods below).
import type { Clock } from '../../engine/clock.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import type { BankClient, MoneyResult } from '../channels/bank-client-types.ts';
import type { ChannelRouter } from '../channels/routing.ts';
import { derivedId, walletAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { StepRunner } from '../books/step-runner.ts';
import type { SystemAccounts } from '../books/system-accounts.ts';
import type { WalletService } from '../wallet/wallet.ts';
import { WalletError } from '../wallet/wallet-errors.ts';
import type { CardRecord, CardService } from './cards.ts';
import {
  findOperation,
  type NewOperation,
  type OperationKind,
  type OperationStatus,
  type Opened,
  type OpRow,
  openStep,
  operationAccountId,
  type Settlement,
  settleStep,
} from './card-steps.ts';
import { joinRouter, rankChannels, retryRequestId, worthRetrying } from './channel-choice.ts';

export type { OperationKind, OperationStatus } from './card-steps.ts';

export interface MoneyInput {
  readonly cardId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly requestId: string;
}

/**
 * Whose money a withdrawal pays out, and to whose card: a user's own wallet to their own card, or a
 * merchant's settlement account to the card its owner named.
 */
export interface Payout {
  /** The holder the operation is filed under (a user id, or a merchant id). */
  readonly holderId: string;
  readonly accountId: string;
  /** The user who bound the card. */
  readonly cardOwnerId: string;
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
  /** The ledger account the money left or entered (a wallet, or a merchant's settlement account). */
  readonly accountId: string;
  readonly kind: OperationKind;
  readonly bank: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly status: OperationStatus;
  readonly reason: string;
  readonly createdAt: number;
}

/** A pending operation the bank has not heard of is voided only after this long: until then its
 *  request may still be on its way to the bank. */
const UNHEARD_GRACE_MS = 5 * 60_000;

export class CardPaymentsService {
  constructor(
    private readonly db: SqlDatabase,
    private readonly runner: StepRunner,
    private readonly systemAccounts: SystemAccounts,
    private readonly clock: Clock,
    private readonly bank: BankClient,
    private readonly cards: CardService,
    private readonly wallet: WalletService,
    /** Picks each payment's channel and hears every bank answer (the success rate is a dashboard headline). */
    private readonly router: ChannelRouter,
  ) {
    runner.onResume('cards', async () => (await this.resolvePending()).resolved);
  }

  async topup(userId: string, input: MoneyInput): Promise<ChannelOperation> {
    await this.wallet.openWallet(userId);
    return this.run(ownWallet(userId), 'topup', input);
  }

  async withdraw(userId: string, input: MoneyInput): Promise<ChannelOperation> {
    await this.wallet.openWallet(userId);
    return this.run(ownWallet(userId), 'withdrawal', input);
  }

  /** Pays money out of another ledger account (a merchant's settlement balance) to a bound card, as a withdrawal. */
  payOut(payout: Payout, input: MoneyInput): Promise<ChannelOperation> {
    return this.run(payout, 'withdrawal', input);
  }

  /** A holder's operations, newest first (a merchant's withdrawals). */
  async operationsOf(holderId: string, limit = 100): Promise<OperationRecord[]> {
    const rows = await this.db.all<OpRow>('SELECT * FROM channel_operations WHERE user_id = ? ORDER BY created_at DESC, op_id DESC LIMIT ?', [holderId, limit]);
    return rows.map(toRecord);
  }

  /**
   * Asks the bank about every operation left pending (an unknown answer, or a crash before or
   * after the bank was asked) and settles those it knows; one it never heard of is voided once the
   * grace period has passed. Returns how many it settled.
   */
  async resolvePending(limit = 100): Promise<{ resolved: number; pending: number }> {
    const rows = await this.db.all<OpRow>("SELECT * FROM channel_operations WHERE status IN ('started', 'pending') ORDER BY created_at LIMIT ?", [limit]);
    let resolved = 0;
    for (const row of rows) {
      const held = row.status === 'started' ? (await this.open(row)).row : row;
      const settlement = await this.askBank(held);
      if (settlement && (await this.runner.run(settleStep(held.op_id, settlement))) !== 'pending') resolved += 1;
    }
    return { resolved, pending: rows.length - resolved };
  }

  /** What the bank's records say of a pending operation, or null while that is not known yet. */
  private async askBank(row: OpRow): Promise<Settlement | null> {
    if (row.status !== 'pending') return null;
    const answer = await this.bank.query(row.bank, row.op_id);
    if (answer.status === 'found')
      return answer.operation.status === 'succeeded' ? { post: true } : { post: false, reason: answer.operation.reason ?? 'bank_declined' };
    const unheard = answer.status === 'not_found' && this.clock.now() - Number(row.created_at) >= UNHEARD_GRACE_MS;
    return unheard ? { post: false, reason: 'bank_never_received' } : null;
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
    const rows = await this.db.all<OpRow>('SELECT * FROM channel_operations WHERE bank = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, op_id', [
      bank,
      BigInt(fromMs),
      BigInt(toMs),
    ]);
    return rows.map(toRecord);
  }

  /**
   * Settles a started or pending operation by the bank's statement (succeeded: post, failed: void);
   * a settled one is left alone. Returns the status after.
   */
  async settleByStatement(opId: string, succeeded: boolean, reason: string): Promise<OperationStatus> {
    const row = await this.find(opId);
    if (!row) throw new WalletError('operation_not_found', `no channel operation '${opId}'`);
    // An earlier version may have left it started, before its hold: hold it first (idempotent).
    const held = row.status === 'started' ? (await this.open(row)).row : row;
    if (held.status !== 'pending') return held.status as OperationStatus;
    return this.runner.run(settleStep(opId, succeeded ? { post: true } : { post: false, reason }));
  }

  /** Marks a posted operation reversed; reconciliation has already posted the reversing transfer. */
  async markReversed(opId: string, reason: string, tx: SqlExecutor = this.db): Promise<void> {
    await tx.run("UPDATE channel_operations SET status = 'reversed', reason = ? WHERE op_id = ? AND status = 'succeeded'", [reason, opId]);
  }

  private async run(payout: Payout, kind: OperationKind, input: MoneyInput): Promise<ChannelOperation> {
    requireCny(input.currency);
    const card = await this.cards.bound(payout.cardOwnerId, input.cardId);
    const userId = payout.holderId;
    const ranked = rankChannels(this.router, card.channels);
    if (ranked.length === 0) throw new WalletError('card_not_bound', `card '${card.cardId}' has no bound channel`);
    const operation = (request: MoneyInput, bank: string): NewOperation => ({
      opId: opIdOf(kind, userId, request.requestId),
      userId,
      accountId: payout.accountId,
      kind,
      requestId: request.requestId,
      cardId: request.cardId,
      bank,
      amountMinor: request.amountMinor,
      currency: request.currency,
    });
    // A replay finds the operation already claimed, with the bank chosen the first time.
    const done = await this.proceed(operation(input, ranked[0].bank), card);
    const retry = { ...input, requestId: retryRequestId(input.requestId) };
    const next = ranked.find((c) => c.bank !== done.bank);
    if (done.retry && next) return (await this.proceed(operation(retry, next.bank), card)).op;
    // A replay of a request that was retried answers with the retry, where the money moved.
    const retried = done.op.status === 'failed' ? await this.find(opIdOf(kind, userId, retry.requestId)) : undefined;
    return retried ? toOperation(retried) : done.op;
  }

  /** Holds the operation's money and asks its bank; `retry` when the bank failed it for its own reasons. */
  private async proceed(op: NewOperation, card: CardRecord): Promise<{ op: ChannelOperation; bank: string; retry: boolean }> {
    const { row, held, fresh } = await this.open(op);
    if (fresh && !held) throw refusal(row.reason);
    // Only the call that made the hold asks the bank; a replay answers with the operation as it stands.
    if (!held) return { op: toOperation(row), bank: row.bank, retry: false };
    const channel = card.channels.find((c) => c.bank === row.bank && c.status === 'bound');
    if (!channel) throw new Error(`operation ${row.op_id} names ${row.bank}, not a bound channel of card ${card.cardId}`);
    const request = { bank: row.bank, token: channel.token, amountMinor: row.amount_minor, currency: row.currency, requestId: row.op_id };
    const answer = row.kind === 'topup' ? await this.bank.debit(request) : await this.bank.credit(request);
    this.recordChannel(row.bank, answer);
    const status = await this.settle(row, answer);
    const done = { opId: row.op_id, kind: toOperation(row).kind, status, reason: answer.status === 'failed' ? answer.reason : '' };
    return { op: done, bank: row.bank, retry: status === 'failed' && worthRetrying(answer) };
  }

  /** Claims and holds an operation (a new one, or a row an earlier version left started). */
  private async open(op: NewOperation | OpRow): Promise<Opened> {
    const fresh = 'op_id' in op ? toNewOperation(op as OpRow) : op;
    await this.systemAccounts.openBank(fresh.bank);
    return this.runner.run(openStep(fresh, this.clock.now()));
  }

  private recordChannel(bank: string, answer: MoneyResult): void {
    // A bank first met here joins the router at no known cost, so its rate is tracked too.
    joinRouter(this.router, bank, 0);
    this.router.recordResult(bank, answer);
  }

  private find(opId: string): Promise<OpRow | undefined> {
    return findOperation(this.db, opId);
  }

  /** Posts on success, voids on failure, stays pending (with the cause noted) when the answer is unknown. */
  private async settle(row: OpRow, answer: MoneyResult): Promise<OperationStatus> {
    if (answer.status === 'unknown') {
      await this.db.run("UPDATE channel_operations SET reason = ? WHERE op_id = ? AND status = 'pending'", [answer.cause, row.op_id]);
      return 'pending';
    }
    return this.runner.run(settleStep(row.op_id, answer.status === 'succeeded' ? { post: true } : { post: false, reason: answer.reason }));
  }
}

/** An operation's id: derived from the caller's request id, and the request id its bank knows it by. */
export function opIdOf(kind: OperationKind, userId: string, requestId: string): string {
  return derivedId(kind === 'topup' ? 'tup' : 'wdr', userId, requestId);
}

/** The ledger's refusal of a hold, as the caller is told. */
function refusal(reason: string): WalletError {
  const [cause, result] = reason.split(':');
  if (cause === 'insufficient_funds') return new WalletError('insufficient_funds', 'the balance is too low for this withdrawal');
  return new WalletError('transfer_failed', `the ledger refused the transfer (${result})`, { ledger_result: result });
}

/** An operation row as the request that made it (for rows an earlier version left started). */
function toNewOperation(row: OpRow): NewOperation {
  const kind = row.kind === 'topup' ? 'topup' : 'withdrawal';
  return {
    opId: row.op_id,
    userId: row.user_id,
    accountId: row.account_id ?? undefined,
    kind,
    requestId: row.request_id,
    cardId: row.card_id,
    bank: row.bank,
    amountMinor: row.amount_minor,
    currency: row.currency,
  };
}

function ownWallet(userId: string): Payout {
  return { holderId: userId, accountId: walletAccountId(userId), cardOwnerId: userId };
}

function requireCny(code: string): void {
  if (code !== PLATFORM_CURRENCY.code) throw new WalletError('currency_not_supported', `wallets hold ${PLATFORM_CURRENCY.code} only, not '${code}'`);
}

function toRecord(row: OpRow): OperationRecord {
  return {
    opId: row.op_id,
    userId: row.user_id,
    accountId: operationAccountId(row),
    kind: row.kind === 'topup' ? 'topup' : 'withdrawal',
    bank: row.bank,
    amountMinor: row.amount_minor,
    currency: row.currency,
    status: row.status as OperationStatus,
    reason: row.reason,
    createdAt: Number(row.created_at),
  };
}

function toOperation(row: OpRow): ChannelOperation {
  return { opId: row.op_id, kind: row.kind === 'topup' ? 'topup' : 'withdrawal', status: row.status as OperationStatus, reason: row.reason };
}
