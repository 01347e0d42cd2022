// The channels of cards: one row per (card, bank) the card was bound at, with the bank's token and
// the fee the channel cost when it was bound. A card is usable through each of its bound channels.
// The token lets Formica debit the card: it is stored sealed with the data key, bound to its row.
import type { DataKey } from '../../engine/data-key.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';

export type BindingStatus = 'sms_sent' | 'bound';

/** A channel as the card holder sees it. */
export interface CardChannel {
  readonly bank: string;
  readonly status: BindingStatus;
  /** The bank's fee in basis points when the channel was bound (from configuration). */
  readonly feeBps: number;
}

/** A channel with its token and binding request: server-side only. */
export interface ChannelRecord extends CardChannel {
  readonly cardId: string;
  readonly token: string;
  readonly bindingRequestId: string;
  readonly createdAt: number;
}

interface ChannelRow extends Record<string, unknown> {
  card_id: string;
  bank: string;
  binding_request_id: string;
  token: string;
  status: string;
  fee_bps: number | bigint;
  created_at: number | bigint;
}

/** What a sealed token is bound to: a token copied to another channel's row does not open. */
const tokenContext = (cardId: string, bank: string) => `card_channels/${cardId}/${bank}`;
const holderContext = (cardId: string, bank: string) => `card_channels/${cardId}/${bank}/holder`;

/** Who the user said holds the card, as the bank was asked to confirm. */
export interface CardHolderName {
  readonly name: string;
  readonly idNo: string;
}

export class CardChannels {
  constructor(
    private readonly db: SqlDatabase,
    private readonly key: DataKey,
  ) {}

  /** Seals tokens stored in clear by earlier versions, and drops the first binding's copy on `cards`. */
  async sealClearTokens(): Promise<number> {
    const rows = await this.db.all<{ card_id: string; bank: string; token: string }>("SELECT card_id, bank, token FROM card_channels WHERE token <> ''");
    const clear = rows.filter((r) => !this.key.isSealed(r.token));
    for (const r of clear) {
      await this.db.run('UPDATE card_channels SET token = ? WHERE card_id = ? AND bank = ? AND token = ?', [
        this.key.seal(r.token, tokenContext(r.card_id, r.bank)),
        r.card_id,
        r.bank,
        r.token,
      ]);
    }
    await this.db.run("UPDATE cards SET token = '' WHERE token <> ''");
    return clear.length;
  }

  /** Records a binding in progress; a channel already bound keeps its token (a new SMS cannot unbind it). */
  async start(cardId: string, bank: string, bindingRequestId: string, feeBps: number, now: number, holder: CardHolderName): Promise<void> {
    const sealed = this.key.seal(JSON.stringify(holder), holderContext(cardId, bank));
    await this.db.run(
      `INSERT INTO card_channels (card_id, bank, binding_request_id, status, fee_bps, created_at, holder) VALUES (?, ?, ?, 'sms_sent', ?, ?, ?)
       ON CONFLICT (card_id, bank) DO UPDATE SET binding_request_id = excluded.binding_request_id, fee_bps = excluded.fee_bps,
         created_at = excluded.created_at, holder = excluded.holder WHERE card_channels.status <> 'bound'`,
      [cardId, bank, bindingRequestId, feeBps, BigInt(now), sealed],
    );
  }

  /** The holder named when the channel's binding started (none for bindings made before holders were kept). */
  async holder(cardId: string, bank: string): Promise<CardHolderName | undefined> {
    const row = await this.db.get<{ holder: string }>('SELECT holder FROM card_channels WHERE card_id = ? AND bank = ?', [cardId, bank]);
    return row?.holder ? (JSON.parse(this.key.open(row.holder, holderContext(cardId, bank))) as CardHolderName) : undefined;
  }

  /** Marks the channel bound with the bank's token, and the card usable (last4 from its first binding). */
  async bound(userId: string, cardId: string, bank: string, token: string, last4: string): Promise<void> {
    await this.db.transaction(async (tx: SqlExecutor) => {
      await tx.run("UPDATE card_channels SET token = ?, status = 'bound' WHERE card_id = ? AND bank = ?", [
        this.key.seal(token, tokenContext(cardId, bank)),
        cardId,
        bank,
      ]);
      await tx.run("UPDATE cards SET last4 = CASE WHEN last4 = '' THEN ? ELSE last4 END, status = 'bound' WHERE card_id = ? AND user_id = ?", [
        last4,
        cardId,
        userId,
      ]);
    });
  }

  /** The channels of the given cards, oldest binding first. */
  async of(cardIds: readonly string[]): Promise<ChannelRecord[]> {
    if (cardIds.length === 0) return [];
    const marks = cardIds.map(() => '?').join(', ');
    const rows = await this.db.all<ChannelRow>(`SELECT * FROM card_channels WHERE card_id IN (${marks}) ORDER BY created_at, bank`, cardIds);
    return rows.map((r) => toChannel(r, r.token ? this.key.open(r.token, tokenContext(r.card_id, r.bank)) : ''));
  }

  /** Every bank some card is bound at. */
  async boundBanks(): Promise<string[]> {
    const rows = await this.db.all<{ bank: string }>("SELECT DISTINCT bank FROM card_channels WHERE status = 'bound'");
    return rows.map((r) => r.bank);
  }
}

function toChannel(r: ChannelRow, token: string): ChannelRecord {
  return {
    cardId: r.card_id,
    bank: r.bank,
    status: r.status === 'bound' ? 'bound' : 'sms_sent',
    feeBps: Number(r.fee_bps),
    token,
    bindingRequestId: r.binding_request_id,
    createdAt: Number(r.created_at),
  };
}
