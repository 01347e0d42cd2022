// The API's answers the app reads (the OpenAPI document at /openapi.json is the reference).
export interface Limit {
  name: string;
  period: string;
  limit: string;
  used: string;
  left: string;
}

export interface Wallet {
  balance: string;
  available: string;
  incoming_pending: string;
  currency: string;
  level: string;
  limits: Limit[];
}

export interface StatementLine {
  transfer_id: string;
  kind: string;
  direction: 'in' | 'out';
  amount: string;
  currency: string;
  state: string;
  memo: string;
  timestamp: string;
}

export interface Statement {
  lines: StatementLine[];
  next: string | null;
}

export interface Card {
  card_id: string;
  bank: string;
  last4?: string;
  status: string;
}

export interface CardOperation {
  status: string;
  reason?: string;
  balance?: string;
}

export interface Trade {
  trade_no: string;
  subject: string;
  total_amount: string;
  currency: string;
  trade_status: string;
  created_at: number;
}

export interface Merchant {
  merchant_id: string;
  app_id: string;
  name: string;
  fee_bps: number;
  notify_url?: string;
  created_at: number;
}

export interface RegisteredMerchant extends Omit<Merchant, 'created_at'> {
  platform_public_key: string;
}

export interface Histogram {
  le: string[];
  counts: number[];
  count: number;
  sum: number;
}

export interface Dashboard {
  generated_at: number;
  activity: {
    minute_starts: number[];
    payments: number[];
    transfers: number[];
    packets_sent: number[];
    packets_opened: number[];
    packets_refunded: number[];
    counting_since: number;
  };
  channels: { bank: string; success_rate: number; samples: number; fee_bps: number }[];
  ledger: { batch_events: Histogram; commit_seconds: Histogram };
  totals: { currency: string; wallets: string; wallets_held: string; reserves: string; open_suspense: string; difference: string; balanced: boolean }[];
  bills: { date: string; billers: { charge_inst: string; name: string; name_en: string; payments: number; collections: string }[] };
  insurance: { date: string; premiums: string; claims: string; loss_ratio: string | null };
  funds: { fund_id: string; name: string; aum: string; income_date: string | null; income_paid: string; holders_paid: number }[];
}

export interface Profile {
  user_id: string;
  phone: string;
  name: string;
  level: 'none' | 'I' | 'II' | 'III';
  has_payment_pin: boolean;
  verifications: { source: string }[];
}

export interface Paycode {
  auth_code: string;
  expires_at: number;
}

export interface Counterparty {
  kind: 'user' | 'card' | 'merchant' | 'platform';
  name: string;
  phone?: string;
  last4?: string;
}

export interface ActivityItem {
  id: string;
  kind: 'transfer_out' | 'transfer_in' | 'topup' | 'withdrawal' | 'payment' | 'refund' | 'credit' | 'debit';
  direction: 'in' | 'out';
  amount: string;
  currency: string;
  status: 'completed' | 'pending' | 'failed' | 'reversed';
  counterparty: Counterparty | null;
  memo: string;
  created_at: string;
}

export interface ActivityPage {
  items: ActivityItem[];
  next: string | null;
}
