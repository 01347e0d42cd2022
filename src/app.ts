// The composition root: picks the store, the clock and the id source, and wires the engine and
// its jobs. Every entry point (HTTP server, CLI, tests) builds Formica here.
import { type Clock, systemClock } from './engine/clock.ts';
import { makePrivateDir } from './engine/data-dir.ts';
import { loadDataKey } from './engine/data-key.ts';
import { type IdSource, ulidIds } from './engine/ids.ts';
import { PeriodicJob } from './engine/jobs.ts';
import { LedgerEngine } from './engine/ledger-engine.ts';
import { AuditLog } from './modules/audit/audit-log.ts';
import { CardPaymentsService } from './modules/cards/card-payments.ts';
import { loadCardFingerprinter } from './modules/cards/card-fingerprint.ts';
import { type CardHolder, CardService } from './modules/cards/cards.ts';
import { type BankClient, createBankClient } from './modules/channels/bank-client.ts';
import { parseChannelFees } from './modules/channels/channel-fees.ts';
import { type ChannelCost, type ChannelRouter, createChannelRouter } from './modules/channels/routing.ts';
import { StepRunner } from './modules/books/step-runner.ts';
import { createBillerClient } from './modules/bills/biller-client.ts';
import { BillsService } from './modules/bills/bills.ts';
import { InsuranceService } from './modules/insurance/insurance.ts';
import { CreditService, earlyRepaymentFeeBps } from './modules/credit/credit.ts';
import { SystemAccounts } from './modules/books/system-accounts.ts';
import { keepHead } from './modules/audit/audit-witness.ts';
import { httpIdentityAuthority, httpSmsGateway } from './modules/identity/external-sources.ts';
import { IdentityService } from './modules/identity/identity.ts';
import { MerchantService } from './modules/merchant/merchant-apps.ts';
import { MerchantPayouts } from './modules/merchant/merchant-payouts.ts';
import { notificationEncoder } from './modules/merchant/notification-wire.ts';
import { loadPlatformKeys, type PlatformKeys } from './modules/merchant/platform-keys.ts';
import { ReconciliationService } from './modules/reconciliation/reconciliation.ts';
import { openSandbox, type Sandbox, type SandboxOptions } from './modules/sandbox/sandbox.ts';
import { TradeService } from './modules/trade/trade.ts';
import { fetchDeliver } from './modules/trade/trade-notifications.ts';
import { WalletService } from './modules/wallet/wallet.ts';
import { FundService } from './modules/fund/fund.ts';
import { SocialService } from './modules/social/social.ts';
import { RedPacketService } from './modules/redpacket/redpacket.ts';
import { CampaignService } from './modules/campaign/campaign.ts';
import { openStore } from './store/open-store.ts';
import { SqliteStore } from './store/sqlite/sqlite-store.ts';
import { openSql, type SqlDatabase } from './store/sql.ts';
import type { LedgerStore } from './store/store.ts';

export interface FormicaOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string;
  /** PostgreSQL schema to use (tests isolate themselves this way). */
  readonly databaseSchema?: string;
  readonly clock?: Clock;
  /** Run the background jobs (expiry sweep); tests drive them by hand instead. */
  readonly runJobs?: boolean;
  /** Where the bank channels listen; default FORMICA_BANK_URL or http://127.0.0.1:7070. */
  readonly bankUrl?: string;
  /** After this long a bank call answers `unknown`; default FORMICA_BANK_TIMEOUT_MS or 10 s. */
  readonly bankTimeoutMs?: number;
  /** What each bank channel costs; default FORMICA_CHANNEL_FEES ("ICBC:12,CCB:10"), else nothing known. */
  readonly channelFees?: readonly ChannelCost[];
  /** Where the billers' gateway listens; default FORMICA_BILLER_URL or http://127.0.0.1:7071 (the biller simulator). */
  readonly billerUrl?: string;
  /** Where the identity authority listens; default FORMICA_IDENTITY_URL or http://127.0.0.1:7072 (the identity simulator). */
  readonly identityUrl?: string;
  /** Where the carrier's SMS gateway listens; default FORMICA_SMS_URL, else the identity URL (the simulator serves both). */
  readonly smsUrl?: string;
  /** Sandbox mode (clock control, faults, inspector); default on when FORMICA_SANDBOX=1. `clock` is then the time it runs from. */
  readonly sandbox?: SandboxOptions | false;
}

const DEFAULT_BANK_URL = 'http://127.0.0.1:7070';
const DEFAULT_BANK_TIMEOUT_MS = 10_000;
const DEFAULT_BILLER_URL = 'http://127.0.0.1:7071';
const DEFAULT_IDENTITY_URL = 'http://127.0.0.1:7072';

export interface Formica {
  readonly store: LedgerStore;
  readonly engine: LedgerEngine;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Modules' own tables, in the ledger's database. */
  readonly sql: SqlDatabase;
  /** The platform audit log: operator actions, verification verdicts, adjustments, logins, key rotations. */
  readonly audit: AuditLog;
  readonly identity: IdentityService;
  readonly wallet: WalletService;
  readonly bank: BankClient;
  readonly cards: CardService;
  readonly cardPayments: CardPaymentsService;
  /** Routes card payments among a card's banks by recent success rate and cost (the dashboard reads the rates). */
  readonly router: ChannelRouter;
  /** Daily bank statements against channel operations; suspense; the reserves check. */
  readonly reconciliation: ReconciliationService;
  /** Merchant apps and keys: the open API's directory and the trade service's MerchantLookup. */
  readonly merchants: MerchantService;
  /** Merchants' settlement balances withdrawn to their bank accounts (card channel operations). */
  readonly merchantPayouts: MerchantPayouts;
  /** Formica's signing key pair for the merchant API (private half never leaves it). */
  readonly platformKeys: PlatformKeys;
  /** Trades (instant and escrow), refunds, disputes, paycodes and the merchant notifications. */
  readonly trades: TradeService;
  /** Money-market funds: subscriptions, redemptions, the trading calendar and the daily income. */
  readonly fund: FundService;
  /** Friends and groups: the graph red packets and the campaign stand on. */
  readonly social: SocialService;
  /** Group red packets: lucky and equal shares, one open per member, the 24-hour refund. */
  readonly redPackets: RedPacketService;
  /** The collect-five-cards campaign: cards, gifts between friends, the prize pool and its reveal. */
  readonly campaigns: CampaignService;
  /** Bill payments (life services): billers, lookups, payments, receipts and autopays. */
  readonly bills: BillsService;
  /** Return-shipping insurance on escrow trades: quotes, policies, automatic claims, the daily loss ratio. */
  readonly insurance: InsuranceService;
  /** Credit: scores and lines, loans on the ledger, their daily servicing, the portfolio. */
  readonly credit: CreditService;
  /** Runs every module's money steps; resumes what modules left waiting. */
  readonly runner: StepRunner;
  /** The platform's own ledger accounts (adjustments, revenue, each bank's reserve and suspense). */
  readonly systemAccounts: SystemAccounts;
  readonly jobs: readonly PeriodicJob[];
  /** Present in sandbox mode only. */
  readonly sandbox?: Sandbox;
  close(): Promise<void>;
}

export async function createFormica(options: FormicaOptions): Promise<Formica> {
  makePrivateDir(options.dataDir);
  const sandbox = openSandbox(options.dataDir, options.clock ?? systemClock, options.sandbox);
  const clock = sandbox?.clock ?? options.clock ?? systemClock;
  const store = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl, schema: options.databaseSchema });
  const engine = new LedgerEngine(store, clock);
  const ids = ulidIds(clock);
  // On the embedded store, modules' writes join the engine's write groups: one commit for all.
  const embedded = store instanceof SqliteStore ? { store, writer: engine } : undefined;
  const sql = await openSql({ dataDir: options.dataDir, databaseUrl: options.databaseUrl, schema: options.databaseSchema, embedded });
  // The books: the platform's own accounts, opened once here, and the one way modules move money.
  const systemAccounts = new SystemAccounts(engine);
  await systemAccounts.openPlatform();
  const runner = new StepRunner(engine);
  // The platform audit log, fed by the modules in their own transactions and by every operator action.
  const audit = await AuditLog.open(sql, clock);
  const identityUrl = options.identityUrl ?? process.env.FORMICA_IDENTITY_URL ?? DEFAULT_IDENTITY_URL;
  const identity = await IdentityService.open(sql, clock, ids, audit, {
    authority: httpIdentityAuthority(identityUrl),
    sms: httpSmsGateway(options.smsUrl ?? process.env.FORMICA_SMS_URL ?? identityUrl),
  });
  const wallet = await WalletService.open({ db: sql, engine, runner, store, clock, identity, audit });
  const bankClient = createBankClient({
    baseUrl: options.bankUrl ?? process.env.FORMICA_BANK_URL ?? DEFAULT_BANK_URL,
    timeoutMs: options.bankTimeoutMs ?? (Number(process.env.FORMICA_BANK_TIMEOUT_MS) || DEFAULT_BANK_TIMEOUT_MS),
  });
  const bank = sandbox?.bank(bankClient) ?? bankClient;
  // Picks each card payment's bank among the card's channels, and tracks each channel's success rate.
  const router = createChannelRouter({ channels: options.channelFees ?? parseChannelFees(process.env.FORMICA_CHANNEL_FEES), now: () => clock.now() });
  const fingerprint = loadCardFingerprinter(options.dataDir);
  const dataKey = loadDataKey(options.dataDir);
  // A rotation of the data key is an operator's act done outside Formica: noted at the first start that sees it.
  await audit.noteChange({ kind: 'system.data_keys', actor: 'system', subject: 'data-key', detail: `in use, newest first: ${dataKey.keyIds.join(', ')}` });
  // A merchant's payout card is bound for the merchant, not a user: it is no one's evidence.
  const holderConfirmed = async (userId: string, holder: CardHolder) => {
    if (await identity.getUser(userId)) await identity.evidence.bankConfirmedHolder(userId, holder);
  };
  const cards = await CardService.open({ db: sql, bank, clock, ids, fingerprint, feeOf: (b) => router.fee(b) ?? 0, dataKey, holderConfirmed });
  const cardPayments = new CardPaymentsService(sql, runner, systemAccounts, clock, bank, cards, wallet, router);
  const reconciliation = await ReconciliationService.open({
    db: sql,
    runner,
    systemAccounts,
    store,
    clock,
    bank,
    cards: cardPayments,
    day: reconciliationDay(),
  });
  const platformKeys = loadPlatformKeys(options.dataDir);
  const merchants = await MerchantService.open({ db: sql, engine, clock, ids, users: identity, audit });
  const merchantPayouts = new MerchantPayouts(sql, merchants, cards, cardPayments, clock);
  const trades = await TradeService.open({
    db: sql,
    runner,
    clock,
    ids,
    identity,
    wallet,
    merchants,
    encodeNotification: notificationEncoder(platformKeys.signNotification),
    cards,
    cardPayments,
    deliver: sandbox?.deliver(fetchDeliver()),
  });
  const social = await SocialService.open({ db: sql, writer: engine, identity, clock, ids });
  const redPackets = await RedPacketService.open({ db: sql, engine, runner, clock, wallet, social });
  const campaigns = await CampaignService.open({ db: sql, engine, runner, clock, ids, identity, wallet, social, log: (line) => console.info(line) });
  const biller = createBillerClient({
    baseUrl: options.billerUrl ?? process.env.FORMICA_BILLER_URL ?? DEFAULT_BILLER_URL,
    timeoutMs: options.bankTimeoutMs ?? DEFAULT_BANK_TIMEOUT_MS,
    faults: sandbox?.faults,
  });
  const bills = await BillsService.open({ db: sql, engine, runner, clock, ids, wallet, biller, cards, cardPayments, reconciliation });
  // Borrowing on a merchant's line is its owner's alone, like its keys.
  const ownerCheck = async (userId: string, merchantId: string) => void (await merchants.staff.authorize(userId, merchantId, 'manage_keys'));
  // The early-repayment fee is policy, configurable; none unless set.
  const earlyFee = earlyRepaymentFeeBps(process.env.FORMICA_CREDIT_EARLY_REPAYMENT_FEE_BPS);
  const credit = await CreditService.open({ db: sql, engine, runner, clock, ids, identity, wallet, trades, store, ownerCheck, earlyRepaymentFeeBps: earlyFee });
  // A refund of a trade paid with pay later pays the buyer's line down first, in the refund's own commit.
  trades.addRefundPart(credit.payLater.refundPart);
  const insurance = await InsuranceService.open({ db: sql, engine, runner, clock, ids, trades });
  // A normal redemption to a card goes on from the wallet as the card module's own withdrawal.
  const cardPayouts = {
    requireBound: async (userId: string, cardId: string) => void (await cards.bound(userId, cardId)),
    withdraw: cardPayments.withdraw.bind(cardPayments),
  };
  const fund = await FundService.open({ db: sql, engine, runner, store, clock, ids, identity, wallet, cardPayouts });
  const onJobError = (name: string, error: unknown) => console.error(`job ${name} failed:`, error);
  // Every background job, in one list: tests leave them stopped and call tick() themselves.
  const jobs = [
    new PeriodicJob(
      'expire-pending-transfers',
      100,
      () => engine.expireDue(),
      onJobError,
      async () => nsToMs(await store.nextExpiry()),
    ),
    // Finishes what modules left waiting, pending bank operations included (the cards' resumer).
    new PeriodicJob('resume-steps', 30_000, () => runner.resumeAll(), onJobError),
    // The audit log's head, kept in a file beside the data so a cut-off end is caught (decision 22).
    new PeriodicJob('keep-audit-head', 5_000, () => keepHead(audit, options.dataDir), onJobError),
    new PeriodicJob('prune-merchant-nonces', 60_000, () => merchants.nonces.prune(clock.now()), onJobError),
    new PeriodicJob(
      'trade-timers',
      1_000,
      () => trades.runTimers(),
      onJobError,
      () => trades.nextTimerDue(),
    ),
    new PeriodicJob(
      'trade-notifications',
      1_000,
      () => trades.sendNotifications(),
      onJobError,
      () => trades.notifications.nextDue(),
    ),
    new PeriodicJob('reconcile-last-closed-day', 10 * 60_000, () => reconciliation.reconcileLastClosedDay(), onJobError),
    new PeriodicJob(
      'fund-confirmations',
      60_000,
      () => fund.confirmDue(),
      onJobError,
      () => fund.nextConfirmationDue(),
    ),
    new PeriodicJob(
      'fund-accruals',
      60_000,
      () => fund.accrueDue(),
      onJobError,
      () => fund.nextAccrualDue(),
    ),
    new PeriodicJob(
      'fund-sweeps',
      60_000,
      () => fund.sweep.sweepDue(),
      onJobError,
      () => fund.sweep.nextDue(),
    ),
    new PeriodicJob(
      'red-packet-refunds',
      1_000,
      () => redPackets.refundExpired(),
      onJobError,
      () => redPackets.nextExpiry(),
    ),
    new PeriodicJob(
      'campaign-reveals',
      60_000,
      () => campaigns.revealDue(),
      onJobError,
      () => campaigns.nextRevealDue(),
    ),
    new PeriodicJob(
      'bill-confirmations',
      2_000,
      () => bills.resolvePending(),
      onJobError,
      () => bills.nextQueryDue(),
    ),
    new PeriodicJob(
      'bill-autopays',
      60_000,
      () => bills.autopays.runDue(),
      onJobError,
      () => bills.autopays.nextDue(),
    ),
    new PeriodicJob(
      'biller-settlement',
      10 * 60_000,
      () => bills.settlements.settleLastClosedDay(),
      onJobError,
      () => bills.settlements.nextDue(),
    ),
    new PeriodicJob('insurance-claims', 5_000, () => insurance.claimDue(), onJobError),
    new PeriodicJob(
      'insurance-loss-ratio',
      60 * 60_000,
      () => insurance.reportLastClosedDay(),
      onJobError,
      () => insurance.nextReportDue(),
    ),
    new PeriodicJob(
      'credit-servicing',
      60_000,
      () => credit.serviceDue(),
      onJobError,
      () => credit.nextServiceDue(),
    ),
  ];
  sandbox?.drive(jobs, onJobError);
  // What the last run left waiting is finished now, before anyone asks.
  await runner.resumeAll();
  if (options.runJobs ?? true) for (const job of jobs) job.start();
  return {
    store,
    engine,
    clock,
    ids,
    sql,
    audit,
    identity,
    wallet,
    bank,
    cards,
    cardPayments,
    router,
    reconciliation,
    merchants,
    merchantPayouts,
    platformKeys,
    trades,
    fund,
    social,
    redPackets,
    campaigns,
    bills,
    insurance,
    credit,
    runner,
    systemAccounts,
    jobs,
    sandbox,
    async close() {
      await Promise.all(jobs.map((job) => job.stop()));
      await engine.drained();
      await keepHead(audit, options.dataDir);
      await sql.close();
      await store.close();
    },
  };
}

/** A ledger time (nanoseconds) as the first millisecond at or after it. */
function nsToMs(ns: bigint | null): number | null {
  return ns === null ? null : Number((ns + 999_999n) / 1_000_000n);
}

/** The statement day's cut-over, local minutes after midnight (FORMICA_CUTOVER_MINUTES; default 0). */
function reconciliationDay(): { cutoverMinutes: number } {
  const minutes = Number(process.env.FORMICA_CUTOVER_MINUTES ?? 0);
  if (!Number.isInteger(minutes) || minutes < 0 || minutes >= 1440) throw new Error('FORMICA_CUTOVER_MINUTES must be a whole number of minutes in [0, 1440)');
  return { cutoverMinutes: minutes };
}
