// Synthetic borrowers with trade histories and a hidden default process. Each borrower has a quality
// the model never sees and an off-platform stress it cannot see at all; the features are noisy traces
// of the quality, and the default over the next year depends on quality, stress and the year's shock.
import {
  type BuyerHistory,
  buyerFeatures,
  type MerchantHistory,
  type MerchantMonth,
  merchantFeatures,
  type RepaymentRecord,
} from '../features/feature-rows.ts';
import { sigmoid } from '../model/logistic.ts';
import { clamp, type Draws } from './draws.ts';

export interface SyntheticBorrower {
  readonly features: Record<string, string>;
  /** What the borrower asks for, in yuan: the exposure if the loan is granted. */
  readonly requested: number;
  readonly defaultProbability: number;
  readonly defaulted: boolean;
}

export const HISTORY_MONTHS = 12;

function repaymentRecord(d: Draws, quality: number): RepaymentRecord {
  if (d.uniform() < 0.4) return 'none';
  return d.uniform() < sigmoid(-2 - quality) ? 'late' : 'clean';
}

export function syntheticMerchant(d: Draws, shock: number): SyntheticBorrower {
  const quality = d.normal();
  const stress = d.normal();
  const tenure = clamp(Math.round(Math.exp(1.8 + 0.35 * quality + 0.6 * d.normal())), 1, 60);
  const base = Math.exp(9 + 0.6 * quality + 0.7 * d.normal());
  const growth = 0.02 * quality + 0.03 * d.normal();
  const volatility = 0.1 + 0.4 * sigmoid(-quality + d.normal());
  const ticket = Math.exp(4 + 0.5 * d.normal());
  const refundRate = clamp(0.04 - 0.015 * quality + 0.01 * d.normal(), 0, 0.5);
  const disputeRate = clamp(0.008 - 0.004 * quality + 0.003 * d.normal(), 0, 0.2);
  const repeatShare = sigmoid(-0.8 + 0.5 * quality + 0.3 * d.normal());
  const months: MerchantMonth[] = [];
  for (let m = 0; m < HISTORY_MONTHS; m++) {
    if (HISTORY_MONTHS - m > tenure) {
      months.push({ sales: 0, orders: 0, refunds: 0, disputes: 0, repeatOrders: 0 });
      continue;
    }
    const sales = Math.round(base * (1 + growth) ** m * Math.exp(volatility * d.normal()));
    const orders = Math.max(1, Math.round(sales / ticket));
    months.push({
      sales,
      orders,
      refunds: Math.round(orders * refundRate),
      disputes: Math.round(orders * disputeRate),
      repeatOrders: Math.round(orders * repeatShare),
    });
  }
  const history: MerchantHistory = {
    months,
    fundBalance: Math.round(base * Math.exp(-0.5 + 0.5 * quality + d.normal())),
    repayment: repaymentRecord(d, quality),
  };
  const p = sigmoid(-4.6 - 1.2 * quality + 0.9 * stress + 0.5 * volatility + shock);
  return { features: merchantFeatures(history), requested: clamp(Math.round(base), 1_000, 500_000), defaultProbability: p, defaulted: d.uniform() < p };
}

export function syntheticBuyer(d: Draws, shock: number): SyntheticBorrower {
  const quality = d.normal();
  const stress = d.normal();
  const standing = quality + d.normal();
  const history: BuyerHistory = {
    accountAgeDays: clamp(Math.round(Math.exp(5.5 + 0.5 * quality + 0.8 * d.normal())), 1, 3650),
    level: standing > 1.2 ? 'premium' : standing > -0.5 ? 'verified' : 'basic',
    payments: Math.round(Math.exp(3 + 0.5 * quality + 0.8 * d.normal())),
    balance: Math.round(Math.exp(6 + 0.7 * quality + d.normal())),
    repayment: repaymentRecord(d, quality),
  };
  const p = sigmoid(-4 - 1 * quality + 1 * stress + shock);
  const requested = clamp(Math.round(500 * Math.exp(0.4 * quality + 0.5 * d.normal())), 100, 50_000);
  return { features: buyerFeatures(history), requested, defaultProbability: p, defaulted: d.uniform() < p };
}
