// The ledger `code`s of the accounts and transfers the wallet makes, and the ids of its system
// accounts: named here once so statements, audits and reconciliation read the same numbers.
import { createHash } from 'node:crypto';

/** Account codes (what an account is for). */
export const AccountCode = {
  /** A user's wallet: a liability to the user; never negative (debits_must_not_exceed_credits). */
  userWallet: 1001,
  /** A bank's customer reserve: an asset (debited by top-ups, credited by withdrawals). */
  bankReserve: 2001,
  /** A bank's suspense: money a statement shows that no wallet owns yet, parked for review. */
  bankSuspense: 2002,
  /** A merchant's settlement account: a liability to the merchant (trades paid in, fees and refunds out). */
  merchantSettlement: 3001,
  /** Operator adjustments: the other side of every manual correction. */
  adjustments: 9001,
  /** The platform's fee revenue, one per currency. */
  platformRevenue: 9002,
  /** Red packets (modules/redpacket): one holding account per packet, never negative, from send to the last open or the refund. */
  redPacketHolding: 6001,
  /** The collect-five-cards campaign (modules/campaign): the platform's prize budget, one per currency (its debits are what it funded), */
  campaignFunding: 6101,
  /** and one prize pool per campaign, never negative: funded in advance, paid out at the reveal, the equal split's remainder left in it. */
  campaignPool: 6102,
  /** Fund (modules/fund), on the CNY ledger: the cash the custodian holds for a fund (never negative), */
  fundCustody: 4001,
  /** and the fund's investment earnings, the outside source of its daily income. */
  fundEarnings: 4002,
  /** On the fund-share ledger: the fund's issuance (its debit balance is the shares outstanding), */
  fundIssuance: 4101,
  /** a holder's shares (never negative), */
  fundHolderShares: 4102,
  /** and the fund's declared income not yet paid to holders: the holders' carried fractions. */
  fundIncome: 4103,
  /** Bills (modules/bills): what Formica collected for a biller and has not yet paid it (a liability), */
  billerCollections: 7001,
  /** what it paid out to the biller's own bank account (the money's way out of the platform), */
  billerPayouts: 7002,
  /** and the biller's suspense: differences its settlement file shows, parked for review. */
  billerSuspense: 7003,
  /** Return-shipping insurance (modules/insurance): the pool premiums go into and claims come out of. */
  insurancePool: 7101,
  /** Credit (modules/credit), one of each per currency: the lender's funding (its debits are what was lent), */
  creditFunding: 5001,
  /** the loans' principal owed, the interest and penalty interest booked and not yet paid, */
  loanReceivable: 5002,
  interestReceivable: 5003,
  /** the lender's interest income, and loan-loss provisions (the expense and the allowance it builds). */
  interestIncome: 5004,
  provisionExpense: 5005,
  provisionAllowance: 5006,
} as const;

/** Transfer codes (why money moved). */
export const TransferCode = {
  walletTransfer: 1,
  adjustmentCredit: 2,
  adjustmentDebit: 3,
  topup: 4,
  withdrawal: 5,
  /** Trades (modules/trade): an instant payment, an escrow hold and its settlement, the fee, refunds. */
  tradePayment: 10,
  tradeEscrowHold: 11,
  tradeFee: 12,
  tradeRefund: 13,
  tradeFeeRefund: 14,
  /** Reconciliation (modules/reconciliation): a difference parked in a bank's suspense account, */
  suspense: 20,
  /** the reversal of an operation the bank never made, */
  reconciliationReversal: 21,
  /** and an operator's clearing of a suspense entry (the missing top-up, withdrawal or refund). */
  suspenseResolution: 22,
  /** Red packets (modules/redpacket): the sender's wallet into the packet, a share out to an opener, the unopened rest back to the sender. */
  redPacketSend: 60,
  redPacketOpen: 61,
  redPacketRefund: 62,
  /** The campaign (modules/campaign): the prize pool funded, and a winner's prize paid from it. */
  campaignPoolFunding: 63,
  campaignPrize: 64,
  /** Fund (modules/fund): a subscription (cash in, shares issued), a redemption (shares back, cash out), */
  fundSubscription: 40,
  fundRedemption: 41,
  /** the day's declared income (earnings to custody, shares to the income account), and its payout to a holder. */
  fundIncomeDeclared: 42,
  fundIncomePaid: 43,
  /** Bills (modules/bills): a payment held from the wallet until the biller confirms (posted) or refuses (voided), */
  billPayment: 70,
  /** the day's collections paid out to the biller, and Formica's fee on them. */
  billerSettlement: 71,
  billerFee: 72,
  /** Return-shipping insurance (modules/insurance): a premium into the pool, a claim out of it. */
  insurancePremium: 75,
  insuranceClaim: 76,
  /** Credit (modules/credit): a loan paid out (funding to wallet, then the receivable booked against the funding), */
  loanDisbursement: 50,
  loanReceivableBooked: 51,
  /** a day's interest and penalty interest, the borrower's repayments of interest and of principal, */
  interestAccrual: 52,
  penaltyAccrual: 53,
  loanInterestRepayment: 54,
  loanPrincipalRepayment: 55,
  /** provisions raised and released as loans change bucket, and a write-off (principal, then unpaid interest). */
  provisionCharge: 56,
  provisionRelease: 57,
  loanWriteOff: 58,
  interestWriteOff: 59,
  /** the early-repayment fee (policy, default none) on principal repaid before it falls due. */
  earlyRepaymentFee: 80,
} as const;

export const TRANSFER_KIND_BY_CODE: Readonly<Record<number, string>> = {
  [TransferCode.walletTransfer]: 'transfer',
  [TransferCode.adjustmentCredit]: 'adjustment',
  [TransferCode.adjustmentDebit]: 'adjustment',
  [TransferCode.topup]: 'topup',
  [TransferCode.withdrawal]: 'withdrawal',
  [TransferCode.tradePayment]: 'trade_payment',
  [TransferCode.tradeEscrowHold]: 'trade_payment',
  [TransferCode.tradeFee]: 'trade_fee',
  [TransferCode.tradeRefund]: 'trade_refund',
  [TransferCode.tradeFeeRefund]: 'trade_fee',
  [TransferCode.suspense]: 'suspense',
  [TransferCode.reconciliationReversal]: 'reversal',
  [TransferCode.suspenseResolution]: 'suspense_resolution',
  [TransferCode.redPacketSend]: 'red_packet_sent',
  [TransferCode.redPacketOpen]: 'red_packet_opened',
  [TransferCode.redPacketRefund]: 'red_packet_refund',
  [TransferCode.campaignPoolFunding]: 'campaign_funding',
  [TransferCode.campaignPrize]: 'campaign_prize',
  [TransferCode.fundSubscription]: 'fund_subscription',
  [TransferCode.fundRedemption]: 'fund_redemption',
  [TransferCode.fundIncomeDeclared]: 'fund_income',
  [TransferCode.fundIncomePaid]: 'fund_income',
  [TransferCode.billPayment]: 'bill_payment',
  [TransferCode.billerSettlement]: 'biller_settlement',
  [TransferCode.billerFee]: 'biller_fee',
  [TransferCode.insurancePremium]: 'insurance_premium',
  [TransferCode.insuranceClaim]: 'insurance_claim',
  [TransferCode.loanDisbursement]: 'loan_disbursement',
  [TransferCode.loanReceivableBooked]: 'loan_disbursement',
  [TransferCode.interestAccrual]: 'loan_interest',
  [TransferCode.penaltyAccrual]: 'loan_interest',
  [TransferCode.loanInterestRepayment]: 'loan_repayment',
  [TransferCode.loanPrincipalRepayment]: 'loan_repayment',
  [TransferCode.provisionCharge]: 'loan_provision',
  [TransferCode.provisionRelease]: 'loan_provision',
  [TransferCode.loanWriteOff]: 'loan_write_off',
  [TransferCode.interestWriteOff]: 'loan_write_off',
  [TransferCode.earlyRepaymentFee]: 'loan_repayment',
};

export function walletAccountId(userId: string): string {
  return `wal_${userId}`;
}

export function adjustmentsAccountId(currency: string): string {
  return `sys_adjustments_${currency.toLowerCase()}`;
}

export function merchantSettlementAccountId(merchantId: string): string {
  return `mch_settle_${merchantId}`;
}

export function platformRevenueAccountId(currency: string): string {
  return `sys_revenue_${currency.toLowerCase()}`;
}

export function reserveAccountId(bank: string, currency: string): string {
  return `rsv_${bank}_${currency.toLowerCase()}`;
}

export function suspenseAccountId(bank: string, currency: string): string {
  return `sus_${bank}_${currency.toLowerCase()}`;
}

/** A fund's accounts; fund ids are at most 16 characters, so a holder's id fits the ledger's 64. */
export function fundCustodyAccountId(fundId: string): string {
  return `fund_cus_${fundId}`;
}

export function fundEarningsAccountId(fundId: string): string {
  return `fund_ern_${fundId}`;
}

export function fundIssuanceAccountId(fundId: string): string {
  return `fund_iss_${fundId}`;
}

export function fundIncomeAccountId(fundId: string): string {
  return `fund_inc_${fundId}`;
}

export function fundSharesAccountId(fundId: string, userId: string): string {
  return `fsh_${fundId}_${userId}`;
}

/** A biller's accounts (charge_inst codes are at most 32 characters). */
export function billerCollectionsAccountId(chargeInst: string): string {
  return `blr_col_${chargeInst}`;
}

export function billerPayoutsAccountId(chargeInst: string): string {
  return `blr_out_${chargeInst}`;
}

export function billerSuspenseAccountId(chargeInst: string): string {
  return `blr_sus_${chargeInst}`;
}

/** The return-shipping insurance pool, one per currency. */
/** Credit's system accounts, one per purpose and currency. */
export type CreditAccount = 'funding' | 'receivable' | 'interest' | 'income' | 'provision_expense' | 'provision_allowance';

export function creditAccountId(purpose: CreditAccount, currency: string): string {
  return `crd_${purpose}_${currency.toLowerCase()}`;
}

export function insurancePoolAccountId(currency: string): string {
  return `ins_pool_${currency.toLowerCase()}`;
}

/** A red packet's holding account (packet ids are derived ids of 47 characters). */
export function redPacketHoldingAccountId(packetId: string): string {
  return `hold_${packetId}`;
}

/** The campaign's prize budget per currency, and a campaign's pool (campaign ids are at most 32 characters). */
export function campaignFundingAccountId(currency: string): string {
  return `cmp_funding_${currency.toLowerCase()}`;
}

export function campaignPoolAccountId(campaignId: string): string {
  return `cmp_pool_${campaignId}`;
}

/**
 * A deterministic ledger id from the parts of a request: the same request always names the same
 * transfer, so a replay meets `exists` instead of moving money twice. Fits the ledger's 64 chars.
 */
export function derivedId(prefix: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('base64url');
  return `${prefix}_${digest}`;
}
