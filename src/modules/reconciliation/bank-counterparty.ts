// A bank as a reconciliation counterparty: its statement through the bank client, its operations
// from the card payments (top-ups and withdrawals), its reserve and suspense accounts.
import type { CardPaymentsService } from '../cards/card-payments.ts';
import type { BankClient } from '../channels/bank-client-types.ts';
import { reserveAccountId, suspenseAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { SystemAccounts } from '../books/system-accounts.ts';
import type { Counterparty } from './counterparty.ts';

export interface BankSide {
  readonly bank: BankClient;
  readonly cards: CardPaymentsService;
  readonly systemAccounts: SystemAccounts;
}

export function bankCounterparty(bank: string, side: BankSide): Counterparty {
  return {
    name: bank,
    kind: 'bank',
    reserveAccountId: reserveAccountId(bank, PLATFORM_CURRENCY.code),
    suspenseAccountId: suspenseAccountId(bank, PLATFORM_CURRENCY.code),
    openAccounts: () => side.systemAccounts.openBank(bank),
    async statement(date) {
      const statement = await side.bank.statement(bank, date);
      if (statement.status === 'ok') return { status: 'ok', lines: statement.lines };
      return { status: 'unavailable', why: statement.status === 'refused' ? `refused: ${statement.code}` : `unknown: ${statement.cause}` };
    },
    operation: (opId) => side.cards.operation(opId),
    operationsBetween: (fromMs, toMs) => side.cards.operationsBetween(bank, fromMs, toMs),
    settleByStatement: (opId, succeeded, reason) => side.cards.settleByStatement(opId, succeeded, reason),
    markReversed: (opId, reason, tx) => side.cards.markReversed(opId, reason, tx),
  };
}
