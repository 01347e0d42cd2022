// The wallet service: a CNY ledger account per user, transfers by phone within the real-name
// limits, the statement, and operator adjustments with an audit log. It moves money only by
// posting ledger transfers through the engine; deterministic ids make every command idempotent.
import type { Clock } from '../../engine/clock.ts';
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import { AccountFlag, type Transfer, TransferFlag } from '../../ledger/index.ts';
import type { Currency } from '../../money/currency.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { LedgerStore } from '../../store/store.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { IdentityService } from '../identity/identity.ts';
import { type AuthStrength, DEFAULT_LIMIT_POLICY, type LimitPolicy, limitsFor, periodKey } from '../identity/limits.ts';
import { AccountCode, derivedId, TRANSFER_KIND_BY_CODE, TransferCode, walletAccountId } from '../books/chart.ts';
import type { StepRunner } from '../books/step-runner.ts';
import { type LimitUsage, SpendingLimits } from './spending-limits.ts';
import { BoundedCache } from '../../engine/bounded-cache.ts';
import { WalletError } from './wallet-errors.ts';
import { WALLET_MIGRATIONS } from './wallet-schema.ts';
import { adjustmentStep, newTransferStep, resumeTransferStep, type TransferRow } from './wallet-steps.ts';

export type { LimitUsage } from './spending-limits.ts';

export interface WalletSummary {
  readonly balanceMinor: bigint;
  readonly availableMinor: bigint;
  readonly incomingPendingMinor: bigint;
  readonly currency: Currency;
  readonly level: string;
  readonly limits: LimitUsage[];
}

export interface TransferInput {
  readonly toPhone: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly requestId: string;
  readonly memo: string;
  /** The payment PIN: a second factor, which raises the daily limit. */
  readonly pin?: string;
}

export interface WalletTransfer {
  readonly transferId: string;
  readonly requestId: string;
  readonly toUserId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly memo: string;
  readonly status: 'completed';
  readonly createdAt: number;
}

export interface AdjustmentInput {
  readonly userId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly direction: 'credit' | 'debit';
  readonly reason: string;
  readonly requestId: string;
}

export interface StatementLine {
  readonly transferId: string;
  readonly kind: string;
  readonly direction: 'in' | 'out';
  readonly amountMinor: bigint;
  readonly state: 'posted' | 'pending' | 'post' | 'void';
  readonly memo: string;
  readonly timestamp: bigint;
}

/** Open wallets remembered per process: a payer and a payee each. */
const OPEN_WALLETS_CACHED = 100_000;
/** Wallets opened by one account request and one insert (4 parameters each, well under every store's limit). */
const WALLETS_PER_OPEN = 1_000;

export class WalletService {
  /** The limits on balance payments, shared with every other module that pays from a balance. */
  readonly limits: SpendingLimits;
  /** Users whose wallet is open, and its account. A wallet once open never changes or closes, so
   *  this is true in every process that shares the database (decision 17). */
  private readonly openWallets = new BoundedCache<string, string>(OPEN_WALLETS_CACHED);

  private constructor(
    private readonly db: SqlDatabase,
    private readonly engine: LedgerEngine,
    private readonly runner: StepRunner,
    private readonly store: LedgerStore,
    private readonly clock: Clock,
    private readonly identity: IdentityService,
    readonly policy: LimitPolicy,
    private readonly log: AuditLog,
  ) {
    this.limits = new SpendingLimits(clock, identity, PLATFORM_CURRENCY, policy);
  }

  static async open(deps: {
    db: SqlDatabase;
    engine: LedgerEngine;
    runner: StepRunner;
    store: LedgerStore;
    clock: Clock;
    identity: IdentityService;
    policy?: LimitPolicy;
    /** Where adjustments are logged, with their ledger transfer. */
    audit: AuditLog;
  }): Promise<WalletService> {
    await deps.db.migrate('wallet', WALLET_MIGRATIONS);
    const service = new WalletService(
      deps.db,
      deps.engine,
      deps.runner,
      deps.store,
      deps.clock,
      deps.identity,
      deps.policy ?? DEFAULT_LIMIT_POLICY,
      deps.audit,
    );
    deps.runner.onResume('wallet', () => service.resumeReserved());
    deps.engine.addGroupTally(service.limits.tally);
    return service;
  }

  /** Opens the user's CNY wallet; safe to call again (the ledger answers `exists`). */
  async openWallet(userId: string): Promise<string> {
    const known = this.openWallets.get(userId);
    if (known) return known;
    await this.openWalletsOf([userId]);
    return walletAccountId(userId);
  }

  /**
   * Opens the wallets of many users at once (a reveal's batch of winners): one account request and
   * one insert for all of them, instead of a write per user; those already open cost nothing.
   */
  async ensureWallets(userIds: readonly string[]): Promise<void> {
    const unknown = userIds.filter((id) => !this.openWallets.get(id));
    for (let i = 0; i < unknown.length; i += WALLETS_PER_OPEN) {
      const chunk = unknown.slice(i, i + WALLETS_PER_OPEN);
      const open = await this.db.all<{ user_id: string; account_id: string }>(
        `SELECT user_id, account_id FROM wallet_accounts WHERE user_id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const row of open) this.openWallets.set(row.user_id, row.account_id);
      const missing = chunk.filter((id) => !this.openWallets.get(id));
      if (missing.length > 0) await this.openWalletsOf(missing);
    }
  }

  private async openWalletsOf(userIds: readonly string[]): Promise<void> {
    const accounts = userIds.map((userId) => ({
      id: walletAccountId(userId),
      ledger: PLATFORM_CURRENCY.ledger,
      code: AccountCode.userWallet,
      flags: AccountFlag.debits_must_not_exceed_credits,
      userData: userId,
    }));
    const results = await this.engine.createAccounts(accounts);
    results.forEach((result, i) => {
      if (result !== 'ok' && result !== 'exists') throw new Error(`cannot open account ${accounts[i].id}: ${result}`);
    });
    const now = BigInt(this.clock.now());
    await this.db.run(
      `INSERT INTO wallet_accounts (user_id, account_id, currency, created_at) VALUES ${userIds.map(() => '(?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
      userIds.flatMap((userId) => [userId, walletAccountId(userId), PLATFORM_CURRENCY.code, now]),
    );
    for (const userId of userIds) this.openWallets.set(userId, walletAccountId(userId));
  }

  /** The user's wallet account, opened first if the user has none yet (a read when it exists). */
  async ensureWallet(userId: string): Promise<string> {
    const known = this.openWallets.get(userId);
    if (known) return known;
    const row = await this.db.get<{ account_id: string }>('SELECT account_id FROM wallet_accounts WHERE user_id = ?', [userId]);
    if (!row) return this.openWallet(userId);
    this.openWallets.set(userId, row.account_id);
    return row.account_id;
  }

  async summary(userId: string): Promise<WalletSummary> {
    const accountId = await this.ensureWallet(userId);
    const account = await this.store.getAccount(accountId);
    const balance = (account?.creditsPosted ?? 0n) - (account?.debitsPosted ?? 0n);
    const level = await this.identity.level(userId);
    const shown = (['one_factor', 'two_factor', 'two_factor_certificate'] as const).flatMap((s) => limitsFor(level, s, this.policy));
    const unique = [...new Map(shown.map((l) => [l.name, l])).values()];
    return {
      balanceMinor: balance,
      availableMinor: balance - (account?.debitsPending ?? 0n),
      incomingPendingMinor: account?.creditsPending ?? 0n,
      currency: PLATFORM_CURRENCY,
      level,
      limits: await this.limits.usage(this.db, userId, unique),
    };
  }

  /** Pays `amountMinor` from the user's balance to the user with `toPhone`; idempotent on requestId. */
  async transfer(payerId: string, input: TransferInput): Promise<WalletTransfer> {
    requireWalletCurrency(input.currency);
    const existing = await this.findTransfer(payerId, input.requestId);
    const payee = await this.identity.findByPhone(input.toPhone);
    if (existing) return this.replay(existing, input, payee?.id);
    if (!payee) throw new WalletError('recipient_not_found', `no user with phone ${input.toPhone}`);
    if (payee.id === payerId) throw new WalletError('self_transfer', 'a wallet cannot pay itself');
    const strength = await this.authStrength(payerId, input.pin);
    const limits = await this.limits.payerLimits(payerId, strength);
    await this.ensureWallet(payerId);
    await this.ensureWallet(payee.id);
    const row = this.newTransferRow(payerId, payee.id, input);
    const end = await this.runner.run(newTransferStep(this.limits, row, limits));
    if (end === null) {
      const raced = await this.findTransfer(payerId, input.requestId);
      return this.replay(raced!, input, payee.id);
    }
    if (!end.applied) throw failure(end.reason, end.result);
    return toWalletTransfer(row);
  }

  /** Finishes every transfer an earlier version left `reserved`; returns how many it settled. */
  async resumeReserved(): Promise<number> {
    const rows = await this.db.all<TransferRow>("SELECT * FROM wallet_transfers WHERE status = 'reserved' LIMIT 1000");
    for (const row of rows) await this.runner.run(resumeTransferStep(this.limits, row));
    return rows.length;
  }

  private async authStrength(userId: string, pin: string | undefined): Promise<AuthStrength> {
    if (pin === undefined) return 'one_factor';
    if (!(await this.identity.checkPaymentPin(userId, pin))) throw new WalletError('payment_pin_wrong', 'the payment PIN is wrong');
    return 'two_factor';
  }

  private newTransferRow(payerId: string, payeeId: string, input: TransferInput): TransferRow {
    const now = this.clock.now();
    return {
      user_id: payerId,
      request_id: input.requestId,
      transfer_id: transferIdOf(payerId, input.requestId),
      to_user_id: payeeId,
      amount_minor: input.amountMinor,
      currency: input.currency,
      memo: input.memo,
      status: 'reserved',
      reason: '',
      day_key: periodKey('day', now),
      year_key: periodKey('year', now),
      created_at: BigInt(now),
    };
  }

  private async replay(row: TransferRow, input: TransferInput, payeeId: string | undefined): Promise<WalletTransfer> {
    const same = row.to_user_id === payeeId && row.amount_minor === input.amountMinor && row.currency === input.currency && row.memo === input.memo;
    if (!same) throw new WalletError('request_id_reused', `request_id '${input.requestId}' was already used for a different transfer`);
    if (row.status === 'completed') return toWalletTransfer(row);
    if (row.status === 'failed') {
      const [reason, result] = row.reason.split(':');
      throw failure(reason, result ?? '');
    }
    // Reserved by an earlier version that committed its steps apart: finish it now.
    const end = await this.runner.run(resumeTransferStep(this.limits, row));
    if (end === null) return this.replay((await this.findTransfer(row.user_id, row.request_id))!, input, payeeId);
    if (!end.applied) throw failure(end.reason, end.result);
    return toWalletTransfer(row);
  }

  private async findTransfer(userId: string, requestId: string): Promise<TransferRow | undefined> {
    return this.db.get<TransferRow>('SELECT * FROM wallet_transfers WHERE user_id = ? AND transfer_id = ?', [userId, transferIdOf(userId, requestId)]);
  }

  /** The wallet's ledger transfers, oldest first, paged by ledger timestamp. */
  async statement(userId: string, page: { limit: number; after?: bigint }): Promise<{ lines: StatementLine[]; next: bigint | null }> {
    const accountId = await this.ensureWallet(userId);
    const result = await this.store.listAccountTransfers(accountId, { limit: page.limit, after: page.after });
    const memos = await this.memos(result.transfers);
    const lines = result.transfers.map((t) => toStatementLine(t, accountId, memos.get(t.id) ?? ''));
    return { lines, next: result.next };
  }

  private async memos(transfers: readonly Transfer[]): Promise<Map<string, string>> {
    // A wallet transfer's user data is its payer: (payer, transfer id) is its row's key.
    const paid = transfers.filter((t) => t.code === TransferCode.walletTransfer);
    if (paid.length === 0) return new Map();
    const rows = await this.db.all<{ transfer_id: string; memo: string }>(
      `SELECT transfer_id, memo FROM wallet_transfers WHERE ${paid.map(() => '(user_id = ? AND transfer_id = ?)').join(' OR ')}`,
      paid.flatMap((t) => [t.userData, t.id]),
    );
    return new Map(rows.map((r) => [r.transfer_id, r.memo]));
  }

  /** An operator's correction, recorded in the audit log before and after it reaches the ledger. */
  async adjust(input: AdjustmentInput): Promise<{ requestId: string; transferId: string; status: string }> {
    requireWalletCurrency(input.currency);
    const user = await this.identity.getUser(input.userId);
    if (!user) throw new WalletError('user_not_found', `no user '${input.userId}'`);
    const transferId = derivedId('adj', input.requestId);
    await this.ensureWallet(input.userId);
    const row = { ...input, transferId, createdAt: BigInt(this.clock.now()) };
    const { verdict } = await this.runner.run(adjustmentStep(row, this.log));
    if (!verdict) throw new WalletError('request_id_reused', `request_id '${input.requestId}' was already used for a different adjustment`);
    if (!verdict.applied) throw failure(verdict.reason, verdict.result);
    return { requestId: input.requestId, transferId, status: 'applied' };
  }
}

/** A wallet transfer's ledger id, derived from its payer and request id (so a replay pays nothing twice). */
function transferIdOf(payerId: string, requestId: string): string {
  return derivedId('wtr', payerId, requestId);
}

function requireWalletCurrency(code: string): void {
  if (code !== PLATFORM_CURRENCY.code) throw new WalletError('currency_not_supported', `wallets hold ${PLATFORM_CURRENCY.code} only, not '${code}'`);
}

function failure(reason: string, result: string): WalletError {
  if (reason === 'insufficient_funds') return new WalletError('insufficient_funds', 'the wallet balance is too low for this payment');
  return new WalletError('transfer_failed', `the ledger refused the transfer (${result})`, { ledger_result: result });
}

function toWalletTransfer(row: TransferRow): WalletTransfer {
  return {
    transferId: row.transfer_id,
    requestId: row.request_id,
    toUserId: row.to_user_id,
    amountMinor: row.amount_minor,
    currency: row.currency,
    memo: row.memo,
    status: 'completed',
    createdAt: Number(row.created_at),
  };
}

function toStatementLine(t: Transfer, accountId: string, memo: string): StatementLine {
  const state =
    (t.flags & TransferFlag.pending) !== 0
      ? 'pending'
      : (t.flags & TransferFlag.post_pending_transfer) !== 0
        ? 'post'
        : (t.flags & TransferFlag.void_pending_transfer) !== 0
          ? 'void'
          : 'posted';
  return {
    transferId: t.id,
    kind: TRANSFER_KIND_BY_CODE[t.code] ?? 'other',
    direction: t.creditAccountId === accountId ? 'in' : 'out',
    amountMinor: t.amount,
    state,
    memo,
    timestamp: t.timestamp,
  };
}
