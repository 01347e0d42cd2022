// The reconciliation service: for a closed statement date, every bank's statement is matched
// against Formica's channel operations (bank-run.ts); differences go to suspense, never away.
// Other counterparties (billers and their settlement files) are reconciled the same way.
// It also reports a date (runs, items, the reserves check) and lets an operator clear suspense.
import client from 'prom-client';
import type { Clock } from '../../engine/clock.ts';
import { registry } from '../../engine/metrics.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import type { LedgerStore } from '../../store/store.ts';
import type { CardPaymentsService } from '../cards/card-payments.ts';
import type { BankClient } from '../channels/bank-client-types.ts';
import { walletAccountId } from '../books/chart.ts';
import type { StepRunner } from '../books/step-runner.ts';
import type { SystemAccounts } from '../books/system-accounts.ts';
import { WalletError } from '../wallet/wallet-errors.ts';
import { bankCounterparty } from './bank-counterparty.ts';
import { reconcileCounterparty } from './bank-run.ts';
import type { Counterparty } from './counterparty.ts';
import { addDays, DEFAULT_DAY_CONFIG, type DayConfig, dayOf, parseDate, requireClosed } from './day.ts';
import { ItemStore } from './item-store.ts';
import { ReconciliationError } from './recon-errors.ts';
import { RECONCILIATION_MIGRATIONS } from './recon-schema.ts';
import { type ReconciliationReport, type ReconItem, type ReconProgress, type ResolutionInput, type RunStatus, UNRESOLVED_STATES } from './recon-types.ts';
import { checkReserves, type ReservesReport } from './reserves.ts';
import { SuspenseLedger } from './suspense-ledger.ts';

const alerts = new client.Counter({
  name: 'formica_reconciliation_alerts_total',
  help: 'Reconciliation differences that need an operator (long lines, amount mismatches, unreversible shorts)',
  labelNames: ['bank', 'kind'] as const,
  registers: [registry],
});

export interface ReconciliationDeps {
  readonly db: SqlDatabase;
  readonly runner: StepRunner;
  readonly systemAccounts: SystemAccounts;
  readonly store: LedgerStore;
  readonly clock: Clock;
  readonly bank: BankClient;
  readonly cards: CardPaymentsService;
  readonly day?: Partial<DayConfig>;
  /** Banks reconciled even before Formica has cards there; others are found from the cards. */
  readonly banks?: readonly string[];
  /** Where alerts go besides the metric; default stderr. */
  readonly onAlert?: (item: ReconItem) => void;
}

export class ReconciliationService {
  private readonly items: ItemStore;
  private readonly ledger: SuspenseLedger;
  readonly day: DayConfig;
  /** Runs of one date take turns in this process, so a double click does not race itself. */
  private readonly running = new Map<string, Promise<unknown>>();
  /** Finds a counterparty other than a bank by the name its items carry (billers register theirs). */
  private readonly finders: ((name: string) => Counterparty | undefined)[] = [];

  private constructor(private readonly deps: ReconciliationDeps) {
    this.items = new ItemStore(deps.db, deps.clock);
    this.ledger = new SuspenseLedger(deps.runner);
    this.day = { ...DEFAULT_DAY_CONFIG, ...deps.day };
  }

  static async open(deps: ReconciliationDeps): Promise<ReconciliationService> {
    await deps.db.migrate('reconciliation', RECONCILIATION_MIGRATIONS);
    return new ReconciliationService(deps);
  }

  /** Reconciles every bank's statement of `date` (a closed day); safe to run again. */
  async reconcile(date: string, options: { banks?: readonly string[]; progress?: ReconProgress } = {}): Promise<ReconciliationReport> {
    parseDate(date);
    requireClosed(date, this.deps.clock.now(), this.day);
    const banks = options.banks?.length ? [...options.banks] : await this.banks();
    const previous = this.running.get(date) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(() => this.runBanks(date, banks, options.progress ?? (() => {})));
    this.running.set(date, run);
    try {
      await run;
    } finally {
      if (this.running.get(date) === run) this.running.delete(date);
    }
    return this.report(date);
  }

  /** Reconciles the last closed day of every bank not reconciled yet; a job calls it. */
  async reconcileLastClosedDay(): Promise<void> {
    const yesterday = addDays(dayOf(this.deps.clock.now(), this.day), -1);
    const done = new Set((await this.items.runsOf(yesterday)).map((run) => run.bank));
    const banks = (await this.banks()).filter((bank) => !done.has(bank));
    if (banks.length > 0) await this.reconcile(yesterday, { banks });
  }

  /** Reconciles one counterparty's file of `date` (a closed day); safe to run again. */
  async reconcileCounterparty(cp: Counterparty, date: string): Promise<void> {
    parseDate(date);
    requireClosed(date, this.deps.clock.now(), this.day);
    await reconcileCounterparty(
      this.runDeps(() => {}),
      cp,
      date,
    );
  }

  /** How the run of `name` (a bank, or another counterparty) of `date` ended, if it ran. */
  runStatus(name: string, date: string): Promise<RunStatus | undefined> {
    return this.items.runStatus(name, date);
  }

  /** Lets an operator resolve the items of counterparties other than banks. */
  register(find: (name: string) => Counterparty | undefined): void {
    this.finders.push(find);
  }

  private async runBanks(date: string, banks: readonly string[], progress: ReconProgress): Promise<void> {
    for (const bank of banks) await reconcileCounterparty(this.runDeps(progress), this.counterpartyOf(bank), date);
  }

  private runDeps(progress: ReconProgress) {
    return { items: this.items, ledger: this.ledger, day: this.day, alert: this.alert, progress };
  }

  private bankOf(bank: string): Counterparty {
    return bankCounterparty(bank, this.deps);
  }

  private counterpartyOf(name: string): Counterparty {
    for (const find of this.finders) {
      const found = find(name);
      if (found) return found;
    }
    return this.bankOf(name);
  }

  private readonly alert = (item: ReconItem): void => {
    alerts.inc({ bank: item.bank, kind: item.kind });
    const report = this.deps.onAlert ?? ((i: ReconItem) => console.warn(`reconciliation alert: ${i.bank} ${i.date} ${i.lineKey} ${i.kind}: ${i.note}`));
    report(item);
  };

  /** The banks to reconcile: configured ones, those with cards or operations, and those reconciled before. */
  async banks(): Promise<string[]> {
    const found = [...(this.deps.banks ?? []), ...(await this.deps.cards.banks()), ...(await this.items.knownBanks())];
    return [...new Set(found)].sort();
  }

  /** What was found for `date`, with the reserves check as the ledger stands now. */
  async report(date: string): Promise<ReconciliationReport> {
    parseDate(date);
    const banks = await this.items.runsOf(date);
    if (banks.length === 0) throw new ReconciliationError('reconciliation_not_found', `${date} has not been reconciled yet`);
    const unresolved = banks.reduce((n, run) => n + (run.status === 'complete' ? 0 : 1) + run.items.filter((i) => UNRESOLVED_STATES.has(i.state)).length, 0);
    return { date, banks, reserves: await this.checkReserves(), unresolved };
  }

  checkReserves(): Promise<ReservesReport> {
    return checkReserves(this.deps.store);
  }

  /** An operator clears an open suspense entry; the same resolution again answers the same. */
  async resolve(input: ResolutionInput): Promise<ReconItem> {
    parseDate(input.date);
    const item = await this.items.get(input.bank, input.date, input.lineKey);
    if (!item) throw new ReconciliationError('reconciliation_item_not_found', `no item ${input.lineKey} of ${input.bank} on ${input.date}`);
    const resolution = input.action === 'refund' ? 'refund' : `${input.action}:${input.userId ?? ''}`;
    if (item.state === 'resolved' && item.resolution === resolution) return item;
    refuseUnlessResolvable(item, input);
    const userId = input.userId ?? '';
    if (input.action !== 'refund' && !(await this.deps.store.getAccount(walletAccountId(userId)))) {
      throw new WalletError('user_not_found', `user '${userId}' has no wallet`);
    }
    const move = await this.ledger.resolve(
      this.counterpartyOf(item.bank),
      `${item.date}/${item.lineKey}`,
      item.suspenseMinor,
      input.action,
      userId,
      async (tx, made) => {
        await this.items.update(item, 'open', { state: 'resolved', resolution, resolutionTransferId: made.transferId }, tx);
      },
    );
    if (!move.done) {
      if (move.result === 'exceeds_credits') throw new WalletError('insufficient_funds', 'the wallet balance is too low to clear this entry');
      throw new WalletError('transfer_failed', `the ledger refused the resolution (${move.result})`, { ledger_result: move.result });
    }
    return (await this.items.get(item.bank, item.date, item.lineKey))!;
  }
}

function refuseUnlessResolvable(item: ReconItem, input: ResolutionInput): void {
  const refuse = (why: string) => new ReconciliationError('resolution_not_allowed', why);
  if (item.state !== 'open' || item.suspenseMinor === 0n) throw refuse(`item ${item.lineKey} is ${item.state}; only open suspense entries are resolved`);
  if (input.action !== 'refund' && !input.userId) throw refuse(`a ${input.action} needs the user_id of the wallet`);
  if (input.action === 'topup' && item.suspenseMinor < 0n) throw refuse('the bank paid this out: resolve it as a withdrawal or a refund, not a top-up');
  if (input.action === 'withdrawal' && item.suspenseMinor > 0n) throw refuse('the bank holds this money: resolve it as a top-up or a refund, not a withdrawal');
}
