// Bank card binding for a user: ask the bank to send an SMS code, confirm it, keep the bank's token.
// A card is one card number per user, known by a keyed fingerprint and its last four digits (the
// number passes through to the bank and is never stored); binding it again at another bank adds a
// channel to the same card, so payments can be routed among its banks.
import type { Clock } from '../../engine/clock.ts';
import type { DataKey } from '../../engine/data-key.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import type { BankClient, Refused, Unknown } from '../channels/bank-client-types.ts';
import { WalletError } from '../wallet/wallet-errors.ts';
import { type BindingStatus, type CardChannel, CardChannels, type CardHolderName, type ChannelRecord } from './card-channels.ts';
import type { CardFingerprint } from './card-fingerprint.ts';
import { CARDS_MIGRATIONS } from './cards-schema.ts';

export type { CardChannel, ChannelRecord } from './card-channels.ts';

/** A holder the bank confirmed at a binding (name and id number matched its customer). */
export interface CardHolder extends CardHolderName {
  readonly bank: string;
  readonly cardId: string;
}

export interface BindInput {
  readonly bank: string;
  readonly cardNo: string;
  readonly name: string;
  readonly idNo: string;
  readonly phone: string;
}

/** A card through one bank: what binding and confirming answer. `status` is that channel's. */
export interface Card {
  readonly cardId: string;
  readonly bank: string;
  readonly last4: string;
  readonly status: BindingStatus;
}

/** A card with every channel it may be paid through; `bank` is where it was first bound. */
export interface CardSummary extends Card {
  readonly channels: readonly CardChannel[];
}

/** A card row with its channels (and their tokens): server-side only. */
export interface CardRecord extends Card {
  readonly userId: string;
  readonly channels: readonly ChannelRecord[];
}

export interface CardServiceDeps {
  readonly db: SqlDatabase;
  readonly bank: BankClient;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly fingerprint: CardFingerprint;
  /** A bank's fee in basis points, recorded on each channel bound there. */
  readonly feeOf: (bank: string) => number;
  /** Seals the banks' tokens at rest. */
  readonly dataKey: DataKey;
  /** Told when a bank confirmed a binding: the holder it checked is real-name evidence for the user. */
  readonly holderConfirmed?: (userId: string, holder: CardHolder) => Promise<void>;
}

interface CardRow extends Record<string, unknown> {
  card_id: string;
  user_id: string;
  bank: string;
  last4: string;
  status: string;
}

export class CardService {
  private readonly channels: CardChannels;

  private constructor(private readonly deps: CardServiceDeps) {
    this.channels = new CardChannels(deps.db, deps.dataKey);
  }

  static async open(deps: CardServiceDeps): Promise<CardService> {
    await deps.db.migrate('cards', CARDS_MIGRATIONS);
    const service = new CardService(deps);
    await service.channels.sealClearTokens();
    return service;
  }

  /** Starts a binding at a bank: the bank sends the card holder an SMS code. The same card at another bank is the same card. */
  async bind(userId: string, input: BindInput): Promise<Card> {
    const fingerprint = this.deps.fingerprint(input.cardNo);
    const known = await this.byFingerprint(userId, fingerprint);
    const already = known?.channels.find((c) => c.bank === input.bank && c.status === 'bound');
    // Bound there already: nothing for the holder to confirm again.
    if (known && already) return channelView(known, already);
    const result = await this.deps.bank.bind(input);
    if (result.status !== 'sms_sent') throw bankProblem(result);
    const cardId = await this.cardFor(userId, fingerprint, input.bank, result.bindingRequestId);
    const holder = { name: input.name, idNo: input.idNo };
    await this.channels.start(cardId, input.bank, result.bindingRequestId, this.deps.feeOf(input.bank), this.deps.clock.now(), holder);
    return { cardId, bank: input.bank, last4: known?.last4 ?? '', status: 'sms_sent' };
  }

  /** Confirms the SMS code of the card's binding at `bank` (default: its latest); a bound channel answers as bound again. */
  async confirm(userId: string, cardId: string, smsCode: string, bank?: string): Promise<Card> {
    const card = await this.owned(userId, cardId);
    const channel = channelToConfirm(card.channels, bank);
    if (!channel) throw new WalletError('card_not_found', `card '${cardId}' has no binding at ${bank}`);
    if (channel.status === 'bound') return channelView(card, channel);
    const result = await this.deps.bank.confirm({ bank: channel.bank, bindingRequestId: channel.bindingRequestId, smsCode });
    if (result.status !== 'bound') throw bankProblem(result);
    await this.channels.bound(userId, cardId, channel.bank, result.token, result.last4);
    const holder = await this.channels.holder(cardId, channel.bank);
    if (holder) await this.deps.holderConfirmed?.(userId, { ...holder, bank: channel.bank, cardId });
    return { cardId, bank: channel.bank, last4: result.last4, status: 'bound' };
  }

  async list(userId: string): Promise<CardSummary[]> {
    const rows = await this.deps.db.all<CardRow>('SELECT * FROM cards WHERE user_id = ? ORDER BY created_at, card_id', [userId]);
    const channels = await this.channels.of(rows.map((r) => r.card_id));
    return rows.map((r) => {
      const own = channels.filter((c) => c.cardId === r.card_id);
      return { ...cardOf(r), channels: own.map(({ bank, status, feeBps }) => ({ bank, status, feeBps })) };
    });
  }

  /** The user's own card; another user's card is indistinguishable from a missing one. */
  async owned(userId: string, cardId: string): Promise<CardRecord> {
    const row = await this.deps.db.get<CardRow>('SELECT * FROM cards WHERE card_id = ? AND user_id = ?', [cardId, userId]);
    if (!row) throw new WalletError('card_not_found', `no card '${cardId}'`);
    return { ...cardOf(row), userId: row.user_id, channels: await this.channels.of([cardId]) };
  }

  /** The user's own card, bound through at least one bank and usable for money. */
  async bound(userId: string, cardId: string): Promise<CardRecord> {
    const card = await this.owned(userId, cardId);
    if (card.status !== 'bound') throw new WalletError('card_not_bound', `card '${cardId}' is not bound yet; confirm its SMS code first`);
    return card;
  }

  /** Every bank some card is bound at. */
  boundBanks(): Promise<string[]> {
    return this.channels.boundBanks();
  }

  private async byFingerprint(userId: string, fingerprint: string): Promise<CardRecord | undefined> {
    const row = await this.deps.db.get<{ card_id: string }>('SELECT card_id FROM cards WHERE user_id = ? AND fingerprint = ?', [userId, fingerprint]);
    return row && this.owned(userId, row.card_id);
  }

  /** The user's card for this fingerprint, created on its first binding; concurrent first bindings share one. */
  private async cardFor(userId: string, fingerprint: string, bank: string, bindingRequestId: string): Promise<string> {
    await this.deps.db.run(
      `INSERT INTO cards (card_id, user_id, bank, binding_request_id, fingerprint, status, created_at) VALUES (?, ?, ?, ?, ?, 'sms_sent', ?)
       ON CONFLICT (user_id, fingerprint) WHERE fingerprint <> '' DO NOTHING`,
      [this.deps.ids.next('crd'), userId, bank, bindingRequestId, fingerprint, BigInt(this.deps.clock.now())],
    );
    const row = await this.deps.db.get<{ card_id: string }>('SELECT card_id FROM cards WHERE user_id = ? AND fingerprint = ?', [userId, fingerprint]);
    return row!.card_id;
  }
}

export function bankProblem(result: Refused | Unknown): WalletError {
  if (result.status === 'refused') return new WalletError('bank_refused', `the bank refused: ${result.message}`, { bank_code: result.code });
  return new WalletError('bank_unavailable', `the bank did not answer (${result.cause}); try again`);
}

/** The named bank's channel; without a name the latest binding waiting for its code, else the latest bound. */
function channelToConfirm(channels: readonly ChannelRecord[], bank: string | undefined): ChannelRecord | undefined {
  if (bank !== undefined) return channels.find((c) => c.bank === bank);
  const latest = (status: BindingStatus) => channels.filter((c) => c.status === status).at(-1);
  return latest('sms_sent') ?? latest('bound');
}

function channelView(card: Card, channel: CardChannel): Card {
  return { cardId: card.cardId, bank: channel.bank, last4: card.last4, status: channel.status };
}

function cardOf(r: CardRow): Card {
  return { cardId: r.card_id, bank: r.bank, last4: r.last4, status: r.status === 'bound' ? 'bound' : 'sms_sent' };
}
