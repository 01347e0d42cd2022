// A buyer's features from the platform's own data, read through the other modules' services (never
// their tables): account age and level from identity, balance and payments from the wallet, and the
// repayment record from credit's own loans. Computed for a batch of users at once.
import type { IdentityService } from '../identity/identity.ts';
import type { WalletService } from '../wallet/wallet.ts';
import { type BuyerFeatures, buyerFeatures, type BuyerHistory, type RepaymentRecord } from './features/feature-rows.ts';

const DAY_MS = 86_400_000;
/** Payments are counted over the most recent statement page: enough to tell a new user from a regular. */
const PAYMENTS_WINDOW = 200;

export type RepaymentRecords = (userIds: readonly string[]) => Promise<Map<string, RepaymentRecord>>;

export class BorrowerFeatures {
  constructor(
    private readonly identity: IdentityService,
    private readonly wallet: WalletService,
    private readonly repayments: RepaymentRecords,
  ) {}

  async buyers(userIds: readonly string[], nowMs: number): Promise<Map<string, BuyerFeatures>> {
    const records = await this.repayments(userIds);
    const features = new Map<string, BuyerFeatures>();
    for (const userId of userIds) features.set(userId, buyerFeatures(await this.history(userId, nowMs, records.get(userId) ?? 'none')));
    return features;
  }

  private async history(userId: string, nowMs: number, repayment: RepaymentRecord): Promise<BuyerHistory> {
    const user = await this.identity.requireUser(userId);
    const level = await this.identity.level(userId);
    const summary = await this.wallet.summary(userId);
    const statement = await this.wallet.statement(userId, { limit: PAYMENTS_WINDOW });
    return {
      accountAgeDays: Math.max(0, Math.floor((nowMs - user.createdAt) / DAY_MS)),
      level: level === 'III' ? 'premium' : level === 'none' ? 'basic' : 'verified',
      payments: statement.lines.filter((l) => l.direction === 'out').length,
      // Yuan as a statistic for the scorecard: the model reads numbers, not money.
      balance: Number(summary.balanceMinor) / 100,
      repayment,
    };
  }
}
