// Bank card binding for a user: ask the bank to send an SMS code, confirm it, keep the bank's token
// and the last four digits. The card number passes through to the bank and is never stored.
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import type { BankClient, Refused, Unknown } from '../channels/bank-client-types.ts';
import { WalletError } from '../wallet/wallet-errors.ts';
import { CARDS_MIGRATIONS } from './cards-schema.ts';

export interface BindInput {
  readonly bank: string;
  readonly cardNo: string;
  readonly name: string;
  readonly idNo: string;
  readonly phone: string;
}

export interface Card {
  readonly cardId: string;
  readonly bank: string;
  readonly last4: string;
  readonly status: 'sms_sent' | 'bound';
}

/** A card row with its token: server-side only. */
export interface CardRecord extends Card {
  readonly userId: string;
  readonly token: string;
  readonly bindingRequestId: string;
}

interface CardRow extends Record<string, unknown> {
  card_id: string;
  user_id: string;
  bank: string;
  binding_request_id: string;
  token: string;
  last4: string;
  status: string;
}

export class CardService {
  private constructor(
    private readonly db: SqlDatabase,
    private readonly bank: BankClient,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  static async open(deps: { db: SqlDatabase; bank: BankClient; clock: Clock; ids: IdSource }): Promise<CardService> {
    await deps.db.migrate('cards', CARDS_MIGRATIONS);
    return new CardService(deps.db, deps.bank, deps.clock, deps.ids);
  }

  /** Starts a binding: the bank sends the card holder an SMS code. */
  async bind(userId: string, input: BindInput): Promise<Card> {
    const result = await this.bank.bind(input);
    if (result.status !== 'sms_sent') throw bankProblem(result);
    const cardId = this.ids.next('crd');
    await this.db.run(
      `INSERT INTO cards (card_id, user_id, bank, binding_request_id, status, created_at) VALUES (?, ?, ?, ?, 'sms_sent', ?)`,
      [cardId, userId, input.bank, result.bindingRequestId, BigInt(this.clock.now())],
    );
    return { cardId, bank: input.bank, last4: '', status: 'sms_sent' };
  }

  /** Confirms the SMS code; a card already bound answers as bound again. */
  async confirm(userId: string, cardId: string, smsCode: string): Promise<Card> {
    const card = await this.owned(userId, cardId);
    if (card.status === 'bound') return publicCard(card);
    const result = await this.bank.confirm({ bank: card.bank, bindingRequestId: card.bindingRequestId, smsCode });
    if (result.status !== 'bound') throw bankProblem(result);
    await this.db.run("UPDATE cards SET token = ?, last4 = ?, status = 'bound' WHERE card_id = ? AND user_id = ?", [
      result.token,
      result.last4,
      cardId,
      userId,
    ]);
    return { cardId, bank: card.bank, last4: result.last4, status: 'bound' };
  }

  async list(userId: string): Promise<Card[]> {
    const rows = await this.db.all<CardRow>('SELECT * FROM cards WHERE user_id = ? ORDER BY created_at, card_id', [userId]);
    return rows.map((r) => publicCard(toRecord(r)));
  }

  /** The user's own card; another user's card is indistinguishable from a missing one. */
  async owned(userId: string, cardId: string): Promise<CardRecord> {
    const row = await this.db.get<CardRow>('SELECT * FROM cards WHERE card_id = ? AND user_id = ?', [cardId, userId]);
    if (!row) throw new WalletError('card_not_found', `no card '${cardId}'`);
    return toRecord(row);
  }

  /** The user's own card, bound and usable for money. */
  async bound(userId: string, cardId: string): Promise<CardRecord> {
    const card = await this.owned(userId, cardId);
    if (card.status !== 'bound') throw new WalletError('card_not_bound', `card '${cardId}' is not bound yet; confirm its SMS code first`);
    return card;
  }
}

export function bankProblem(result: Refused | Unknown): WalletError {
  if (result.status === 'refused') return new WalletError('bank_refused', `the bank refused: ${result.message}`, { bank_code: result.code });
  return new WalletError('bank_unavailable', `the bank did not answer (${result.cause}); try again`);
}

function toRecord(r: CardRow): CardRecord {
  return {
    cardId: r.card_id,
    userId: r.user_id,
    bank: r.bank,
    bindingRequestId: r.binding_request_id,
    token: r.token,
    last4: r.last4,
    status: r.status === 'bound' ? 'bound' : 'sms_sent',
  };
}

function publicCard(c: CardRecord): Card {
  return { cardId: c.cardId, bank: c.bank, last4: c.last4, status: c.status };
}
