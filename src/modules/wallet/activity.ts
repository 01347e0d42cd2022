// The wallet's activity as people read it: one line per thing the user did, newest first, with who
// it was with. A read model over the tables each module writes in the same steps as the ledger:
// wallet transfers (sent and received), card top-ups and withdrawals (one line whose status follows
// the bank's answer, where the ledger shows a pending transfer and then its settlement), trades paid
// and refunded, and operator adjustments. Nothing is stored; each page is a merge of the newest
// rows of every source before the cursor.
import type { IdentityService } from '../identity/identity.ts';
import type { CardService } from '../cards/cards.ts';
import type { MerchantService } from '../merchant/merchant-apps.ts';
import type { SqlDatabase, SqlParam } from '../../store/sql.ts';
import type { PageCursor } from '../../text/page-cursor.ts';

export const ACTIVITY_KINDS = ['transfer_out', 'transfer_in', 'topup', 'withdrawal', 'payment', 'refund', 'credit', 'debit'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];
export type ActivityStatus = 'completed' | 'pending' | 'failed' | 'reversed';

export interface Counterparty {
  readonly kind: 'user' | 'card' | 'merchant' | 'platform';
  /** A user's name masked ("张*三"), a bank's code, a merchant's name. */
  readonly name: string;
  /** A user's phone, masked ("138****0102"). */
  readonly phone?: string;
  readonly last4?: string;
}

export interface ActivityItem {
  /** Unique across sources: the source's letter and its row's id. */
  readonly id: string;
  readonly kind: ActivityKind;
  readonly direction: 'in' | 'out';
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly status: ActivityStatus;
  readonly counterparty: Counterparty | null;
  readonly memo: string;
  readonly createdAt: number;
}

/** Which lines a page or an export holds: a calendar month in China time ("2026-03"), a kind, or both. */
export interface ActivityFilter {
  readonly month?: string;
  readonly kind?: ActivityKind;
}

/** Where a page ends: the last line's time and id. Lines strictly older come next. */
export type ActivityCursor = PageCursor;

interface Row extends Record<string, unknown> {
  id: string;
  created_at: bigint | number;
  amount_minor: bigint;
  currency: string;
  status: string;
  /** The other party's id: a user, a card or a merchant, by source. */
  other: string;
  /** The memo, a trade's subject, a top-up's kind, an adjustment's direction, by source. */
  note: string;
}

interface Source {
  /** SELECT ... AS id, created_at, amount_minor, currency, status, other, note; `?` is the user. */
  readonly select: string;
  /** The id and time expressions, for the cursor's condition and the order. */
  readonly idExpr: string;
  readonly timeExpr: string;
  /** The kinds this source's lines can be, each with the condition that picks it ('' when all are). */
  readonly kinds: Partial<Record<ActivityKind, string>>;
  readonly toItem: (row: Row, parties: Parties) => Promise<ActivityItem>;
}

interface Parties {
  user(userId: string): Promise<Counterparty | null>;
  card(cardId: string): Promise<Counterparty | null>;
  merchant(merchantId: string): Promise<Counterparty | null>;
}

const CARD_STATUS: Record<string, ActivityStatus> = { started: 'pending', pending: 'pending', succeeded: 'completed', failed: 'failed', reversed: 'reversed' };
const PLATFORM: Counterparty = { kind: 'platform', name: 'Formica' };

function base(row: Row): Pick<ActivityItem, 'id' | 'amountMinor' | 'currency' | 'createdAt'> {
  return { id: row.id, amountMinor: BigInt(row.amount_minor), currency: row.currency, createdAt: Number(row.created_at) };
}

const SOURCES: readonly Source[] = [
  {
    select: `SELECT 'ws:' || transfer_id AS id, created_at, amount_minor, currency, status, to_user_id AS other, memo AS note
      FROM wallet_transfers WHERE user_id = ? AND status = 'completed'`,
    idExpr: "'ws:' || transfer_id",
    timeExpr: 'created_at',
    kinds: { transfer_out: '' },
    toItem: async (row, parties) => ({
      ...base(row),
      kind: 'transfer_out',
      direction: 'out',
      status: 'completed',
      counterparty: await parties.user(row.other),
      memo: row.note,
    }),
  },
  {
    select: `SELECT 'wr:' || transfer_id AS id, created_at, amount_minor, currency, status, user_id AS other, memo AS note
      FROM wallet_transfers WHERE to_user_id = ? AND status = 'completed'`,
    idExpr: "'wr:' || transfer_id",
    timeExpr: 'created_at',
    kinds: { transfer_in: '' },
    toItem: async (row, parties) => ({
      ...base(row),
      kind: 'transfer_in',
      direction: 'in',
      status: 'completed',
      counterparty: await parties.user(row.other),
      memo: row.note,
    }),
  },
  {
    select: `SELECT 'co:' || op_id AS id, created_at, amount_minor, currency, status, card_id AS other, kind AS note
      FROM channel_operations WHERE user_id = ?`,
    idExpr: "'co:' || op_id",
    timeExpr: 'created_at',
    kinds: { topup: "kind = 'topup'", withdrawal: "kind <> 'topup'" },
    toItem: async (row, parties) => ({
      ...base(row),
      kind: row.note === 'topup' ? 'topup' : 'withdrawal',
      direction: row.note === 'topup' ? 'in' : 'out',
      status: CARD_STATUS[row.status] ?? 'pending',
      counterparty: await parties.card(row.other),
      memo: '',
    }),
  },
  {
    select: `SELECT 'tp:' || trade_no AS id, paid_at AS created_at, total_minor AS amount_minor, currency, status, merchant_id AS other, subject AS note
      FROM trades WHERE buyer_user_id = ? AND paid_at IS NOT NULL`,
    idExpr: "'tp:' || trade_no",
    timeExpr: 'paid_at',
    kinds: { payment: '' },
    toItem: async (row, parties) => ({
      ...base(row),
      kind: 'payment',
      direction: 'out',
      status: 'completed',
      counterparty: await parties.merchant(row.other),
      memo: row.note,
    }),
  },
  {
    select: `SELECT 'tr:' || r.trade_no || ':' || r.out_request_no AS id, COALESCE(r.gmt_refund, r.created_at) AS created_at, r.refund_minor AS amount_minor,
        t.currency, r.status, t.merchant_id AS other, t.subject AS note
      FROM trade_refunds r JOIN trades t ON t.trade_no = r.trade_no WHERE t.buyer_user_id = ? AND r.status = 'done'`,
    idExpr: "'tr:' || r.trade_no || ':' || r.out_request_no",
    timeExpr: 'COALESCE(r.gmt_refund, r.created_at)',
    kinds: { refund: '' },
    toItem: async (row, parties) => ({
      ...base(row),
      kind: 'refund',
      direction: 'in',
      status: 'completed',
      counterparty: await parties.merchant(row.other),
      memo: row.note,
    }),
  },
  {
    select: `SELECT 'ad:' || request_id AS id, created_at, amount_minor, currency, status, '' AS other, direction AS note
      FROM wallet_adjustments WHERE user_id = ? AND status = 'applied'`,
    idExpr: "'ad:' || request_id",
    timeExpr: 'created_at',
    kinds: { credit: "direction = 'credit'", debit: "direction <> 'credit'" },
    toItem: async (row) => ({
      ...base(row),
      kind: row.note === 'credit' ? 'credit' : 'debit',
      direction: row.note === 'credit' ? 'in' : 'out',
      status: 'completed',
      counterparty: PLATFORM,
      memo: '',
    }),
  },
];

/** "张三丰" -> "张*丰", "Alice" -> "A***e", "李四" -> "李*": enough to recognise, not to read out. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}

/** "13800000102" -> "138****0102"; other shapes keep only their last four. */
export function maskPhone(phone: string): string {
  if (/^\d{11}$/.test(phone)) return `${phone.slice(0, 3)}****${phone.slice(7)}`;
  return `****${phone.slice(-4)}`;
}

const CHINA_OFFSET_MS = 8 * 3600 * 1000;

/** The instants a China-time calendar month ("2026-03") starts and ends at, end excluded. */
export function monthRange(month: string): { from: number; to: number } {
  const [year, monthNo] = month.split('-').map(Number);
  return { from: Date.UTC(year, monthNo - 1, 1) - CHINA_OFFSET_MS, to: Date.UTC(year, monthNo, 1) - CHINA_OFFSET_MS };
}

type Position = Pick<ActivityItem, 'id' | 'createdAt'>;

function newerFirst(a: Position, b: Position): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export class WalletActivity {
  constructor(
    private readonly db: SqlDatabase,
    private readonly identity: IdentityService,
    private readonly cards: CardService,
    private readonly merchants: MerchantService,
  ) {}

  /** Up to `limit` lines older than `before` (all when absent) that pass `filter`, newest first, and the next cursor. */
  async page(
    userId: string,
    page: { limit: number; before?: ActivityCursor; filter?: ActivityFilter },
  ): Promise<{ items: ActivityItem[]; next: ActivityCursor | null }> {
    const parties = this.parties(userId);
    const filter = page.filter ?? {};
    const sources = SOURCES.filter((source) => filter.kind === undefined || filter.kind in source.kinds);
    const perSource = await Promise.all(sources.map((source) => this.newest(source, userId, page.limit + 1, page.before, filter)));
    const rows = perSource.flatMap((rowsOf, i) => rowsOf.map((row) => ({ row, source: sources[i] })));
    const candidates: Position[] = rows.map(({ row }) => ({ id: row.id, createdAt: Number(row.created_at) })).sort(newerFirst);
    const kept = new Set(candidates.slice(0, page.limit).map((c) => c.id));
    const items = await Promise.all(rows.filter(({ row }) => kept.has(row.id)).map(({ row, source }) => source.toItem(row, parties)));
    items.sort(newerFirst);
    const last = items.at(-1);
    const next = candidates.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : null;
    return { items, next };
  }

  /** One line of the user's, by its id; undefined when the user has no such line. */
  async one(userId: string, id: string): Promise<ActivityItem | undefined> {
    const source = SOURCES.find((s) => s.idExpr.startsWith(`'${id.slice(0, 3)}'`));
    if (!source) return undefined;
    const row = await this.db.get<Row>(`${source.select} AND ${source.idExpr} = ?`, [userId, id]);
    return row && source.toItem(row, this.parties(userId));
  }

  private newest(source: Source, userId: string, limit: number, before: ActivityCursor | undefined, filter: ActivityFilter): Promise<Row[]> {
    const params: SqlParam[] = [userId];
    let sql = source.select;
    const kindCondition = filter.kind && source.kinds[filter.kind];
    if (kindCondition) sql += ` AND ${kindCondition}`;
    if (filter.month) {
      const { from, to } = monthRange(filter.month);
      sql += ` AND ${source.timeExpr} >= ? AND ${source.timeExpr} < ?`;
      params.push(BigInt(from), BigInt(to));
    }
    if (before) {
      sql += ` AND (${source.timeExpr} < ? OR (${source.timeExpr} = ? AND ${source.idExpr} < ?))`;
      params.push(BigInt(before.createdAt), BigInt(before.createdAt), before.id);
    }
    sql += ` ORDER BY ${source.timeExpr} DESC, ${source.idExpr} DESC LIMIT ${limit}`;
    return this.db.all<Row>(sql, params);
  }

  /** Looks each party up once per page. */
  private parties(userId: string): Parties {
    const users = new Map<string, Promise<Counterparty | null>>();
    const merchants = new Map<string, Promise<Counterparty | null>>();
    let cards: Promise<Map<string, Counterparty>> | undefined;
    const once = <T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> => {
      if (!cache.has(key)) cache.set(key, load());
      return cache.get(key)!;
    };
    return {
      user: (id) =>
        once(users, id, async () => {
          const user = await this.identity.getUser(id);
          return user ? { kind: 'user', name: maskName(user.name), phone: maskPhone(user.phone) } : null;
        }),
      merchant: (id) =>
        once(merchants, id, async () => {
          const merchant = await this.merchants.get(id);
          return merchant ? { kind: 'merchant', name: merchant.name } : null;
        }),
      card: async (id) => {
        cards ??= this.cards.list(userId).then((list) => new Map(list.map((c) => [c.cardId, { kind: 'card', name: c.bank, last4: c.last4 } as Counterparty])));
        return (await cards).get(id) ?? null;
      },
    };
  }
}
