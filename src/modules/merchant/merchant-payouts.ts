// Withdrawals of a merchant's settlement balance to its bank account. The account is a card the
// owner bound (through the cards module, with the bank's SMS check) and named for the merchant;
// a withdrawal is a card channel operation on the merchant's settlement account: held on the ledger
// first, then the bank is asked, pending until it answers (resolved later by query, or by
// reconciliation on the bank's statement, like every channel operation).
import type { Clock } from '../../engine/clock.ts';
import type { CardPaymentsService, ChannelOperation, OperationRecord } from '../cards/card-payments.ts';
import type { CardService } from '../cards/cards.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import type { MerchantService } from './merchant-apps.ts';
import { MerchantError } from './merchant-errors.ts';

export interface PayoutAccount {
  readonly merchantId: string;
  /** The owner who bound the card. */
  readonly userId: string;
  readonly cardId: string;
  readonly last4: string;
  readonly setAt: number;
}

export interface WithdrawalInput {
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly requestId: string;
}

interface AccountRow extends Record<string, unknown> {
  merchant_id: string;
  user_id: string;
  card_id: string;
  set_at: bigint;
}

export class MerchantPayouts {
  constructor(
    private readonly db: SqlDatabase,
    private readonly merchants: MerchantService,
    private readonly cards: CardService,
    private readonly payments: CardPaymentsService,
    private readonly clock: Clock,
  ) {}

  /** Names one of the owner's own bound cards as where the merchant's withdrawals go. */
  async setAccount(merchantId: string, ownerUserId: string, cardId: string): Promise<PayoutAccount> {
    await this.cards.bound(ownerUserId, cardId);
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO merchant_payout_accounts (merchant_id, user_id, card_id, set_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (merchant_id) DO UPDATE SET user_id = excluded.user_id, card_id = excluded.card_id, set_at = excluded.set_at`,
        [merchantId, ownerUserId, cardId, BigInt(this.clock.now())],
      );
      await this.merchants.audit.record(tx, { merchantId, actor: ownerUserId, kind: 'payout_account_set', detail: cardId });
    });
    return this.requireAccount(merchantId);
  }

  async account(merchantId: string): Promise<PayoutAccount | undefined> {
    const row = await this.db.get<AccountRow>('SELECT * FROM merchant_payout_accounts WHERE merchant_id = ?', [merchantId]);
    if (!row) return undefined;
    const card = await this.cards.owned(row.user_id, row.card_id);
    return { merchantId, userId: row.user_id, cardId: row.card_id, last4: card.last4, setAt: Number(row.set_at) };
  }

  /** Pays the settlement balance out to the payout account; idempotent on the request id. */
  async withdraw(merchantId: string, actor: string, input: WithdrawalInput): Promise<ChannelOperation> {
    const account = await this.requireAccount(merchantId);
    const merchant = await this.merchants.require(merchantId);
    const payout = { holderId: merchantId, accountId: merchant.settlementAccountId, cardOwnerId: account.userId };
    const op = await this.payments.payOut(payout, {
      cardId: account.cardId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      requestId: input.requestId,
    });
    await this.db.transaction((tx) =>
      this.merchants.audit.record(tx, { merchantId, actor, kind: 'withdrawal_requested', detail: `${op.opId} ${input.amountMinor}`, id: `mev_${op.opId}` }),
    );
    return op;
  }

  /** The merchant's withdrawals, newest first, as they stand (pending ones change when the bank answers). */
  withdrawals(merchantId: string): Promise<OperationRecord[]> {
    return this.payments.operationsOf(merchantId);
  }

  private async requireAccount(merchantId: string): Promise<PayoutAccount> {
    const account = await this.account(merchantId);
    if (!account) throw new MerchantError('payout_account_missing', 'the owner has not named a bank account for withdrawals yet');
    return account;
  }
}
