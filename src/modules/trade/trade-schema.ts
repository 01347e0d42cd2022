// The trade module's own tables: trades (state, money split, timers, the one operation in flight),
// refunds, the notification outbox, disputes and one-time paycodes. Times are epoch milliseconds.
const TABLES = [
  `CREATE TABLE trades (
     trade_no TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, out_trade_no TEXT NOT NULL, subject TEXT NOT NULL,
     body TEXT NOT NULL DEFAULT '', total_minor BIGINT NOT NULL, currency TEXT NOT NULL, product_code TEXT NOT NULL,
     status TEXT NOT NULL, fee_bps BIGINT NOT NULL, settlement_account_id TEXT NOT NULL, notify_url TEXT, app_id TEXT,
     timeout_at BIGINT NOT NULL, created_at BIGINT NOT NULL,
     buyer_user_id TEXT, buyer_logon_id TEXT, pay_request_id TEXT, paid_at BIGINT, closed_at BIGINT,
     shipped_at BIGINT, logistics_type TEXT, waybill_no TEXT, confirm_due_at BIGINT, confirm_left_ms BIGINT,
     extended BIGINT NOT NULL DEFAULT 0, settled_at BIGINT, finish_due_at BIGINT,
     held_minor BIGINT NOT NULL DEFAULT 0, settled_minor BIGINT NOT NULL DEFAULT 0, settled_amount_minor BIGINT NOT NULL DEFAULT 0, fee_minor BIGINT NOT NULL DEFAULT 0,
     refunded_minor BIGINT NOT NULL DEFAULT 0, hold_id TEXT, pending_op TEXT, op_at BIGINT,
     UNIQUE (merchant_id, out_trade_no))`,
  'CREATE INDEX trades_pay_timeout ON trades (status, timeout_at)',
  'CREATE INDEX trades_confirm_due ON trades (status, confirm_due_at)',
  'CREATE INDEX trades_finish_due ON trades (status, finish_due_at)',
  'CREATE INDEX trades_buyer ON trades (buyer_user_id, trade_no)',
  'CREATE INDEX trades_merchant_created ON trades (merchant_id, created_at)',
  'CREATE INDEX trades_pending_op ON trades (op_at)',
  `CREATE TABLE trade_refunds (
     trade_no TEXT NOT NULL, out_request_no TEXT NOT NULL, merchant_id TEXT NOT NULL, out_trade_no TEXT NOT NULL,
     refund_minor BIGINT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
     refunded_total_minor BIGINT NOT NULL DEFAULT 0, gmt_refund BIGINT, created_at BIGINT NOT NULL,
     PRIMARY KEY (trade_no, out_request_no))`,
  'CREATE INDEX trade_refunds_merchant ON trade_refunds (merchant_id, gmt_refund)',
  `CREATE TABLE trade_notifications (
     notify_id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, trade_no TEXT NOT NULL, notify_url TEXT NOT NULL,
     fields TEXT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, next_at BIGINT NOT NULL,
     last_error TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL)`,
  'CREATE INDEX trade_notifications_due ON trade_notifications (status, next_at)',
  'CREATE INDEX trade_notifications_merchant ON trade_notifications (merchant_id, status)',
  `CREATE TABLE trade_disputes (
     trade_no TEXT PRIMARY KEY, buyer_user_id TEXT NOT NULL, merchant_id TEXT NOT NULL, reason TEXT NOT NULL,
     answer TEXT, status TEXT NOT NULL, decision TEXT, operator_note TEXT, created_at BIGINT NOT NULL, decided_at BIGINT)`,
  `CREATE TABLE trade_paycodes (
     auth_code TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)`,
];

// Version 2: where a trade's money came from (the wallet or a bound card), card fundings waiting
// for the bank's answer, and refunds owed back to the card they were paid from.
const FUNDING = [
  'ALTER TABLE trades ADD COLUMN funding_source TEXT',
  'ALTER TABLE trades ADD COLUMN funding_card_id TEXT',
  'ALTER TABLE trade_refunds ADD COLUMN payout_card_id TEXT',
  'ALTER TABLE trade_refunds ADD COLUMN payout_op_id TEXT',
  `CREATE TABLE trade_card_fundings (
     trade_no TEXT NOT NULL, buyer_user_id TEXT NOT NULL, request_id TEXT NOT NULL, card_id TEXT NOT NULL,
     amount_minor BIGINT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL,
     PRIMARY KEY (trade_no, buyer_user_id, request_id))`,
  'CREATE INDEX trade_card_fundings_status ON trade_card_fundings (status, created_at)',
].join(';\n');

// Version 3: the merchant's passback_params, given back untouched in every notification.
const PASSBACK = 'ALTER TABLE trades ADD COLUMN passback_params TEXT';

// Version 4: an in-store payment above the PIN threshold waits for this buyer to confirm it.
const AWAITING = 'ALTER TABLE trades ADD COLUMN awaiting_buyer_id TEXT';

export const TRADE_MIGRATIONS = { sqlite: [TABLES.join(';\n'), FUNDING, PASSBACK, AWAITING], postgres: [TABLES.join(';\n'), FUNDING, PASSBACK, AWAITING] };
