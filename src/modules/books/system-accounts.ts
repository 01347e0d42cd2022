// The platform's own accounts: opened once, by the composition root at start (and a bank's when
// the platform first deals with that bank), never on a payment's path. Opening is idempotent:
// every start after the first meets `exists`.
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import type { AccountEvent } from '../../ledger/index.ts';
import { AccountCode, adjustmentsAccountId, platformRevenueAccountId, reserveAccountId, suspenseAccountId } from './chart.ts';
import { PLATFORM_CURRENCY } from './platform-currency.ts';

function systemAccount(id: string, code: number, userData: string): AccountEvent {
  // No balance limit on any of them: each is the platform's side of money it owes or holds,
  // and reconciliation must see a shortfall as a negative balance, not a refused transfer.
  return { id, ledger: PLATFORM_CURRENCY.ledger, code, flags: 0, userData };
}

/** Operator adjustments and fee revenue. */
export function platformAccounts(): AccountEvent[] {
  const currency = PLATFORM_CURRENCY.code;
  return [
    systemAccount(adjustmentsAccountId(currency), AccountCode.adjustments, 'system'),
    systemAccount(platformRevenueAccountId(currency), AccountCode.platformRevenue, 'system'),
  ];
}

/** A bank's customer reserve (an asset at the bank) and its suspense account. */
export function bankAccounts(bank: string): AccountEvent[] {
  const currency = PLATFORM_CURRENCY.code;
  return [
    systemAccount(reserveAccountId(bank, currency), AccountCode.bankReserve, bank),
    systemAccount(suspenseAccountId(bank, currency), AccountCode.bankSuspense, bank),
  ];
}

export class SystemAccounts {
  private readonly openBanks = new Set<string>();

  constructor(private readonly engine: LedgerEngine) {}

  /** At start: the accounts every module relies on. */
  async openPlatform(): Promise<void> {
    await this.open(platformAccounts());
  }

  /** A bank's accounts, once per process (the first card bound at it, or its first statement). */
  async openBank(bank: string): Promise<void> {
    if (this.openBanks.has(bank)) return;
    await this.open(bankAccounts(bank));
    this.openBanks.add(bank);
  }

  private async open(accounts: AccountEvent[]): Promise<void> {
    const results = await this.engine.createAccounts(accounts);
    results.forEach((result, i) => {
      if (result !== 'ok' && result !== 'exists') throw new Error(`cannot open system account ${accounts[i].id}: ${result}`);
    });
  }
}
