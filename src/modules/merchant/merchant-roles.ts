// Who may do what in a merchant: the one table every console route checks. The owner does
// everything; finance handles money (refunds, bills, the balance and withdrawals); support handles
// buyers (trades, disputes, notifications). Keys and staff are the owner's alone.
export const MERCHANT_ROLES = ['owner', 'finance', 'support'] as const;
export type MerchantRole = (typeof MERCHANT_ROLES)[number];

export type MerchantAction =
  | 'view_trades'
  | 'refund'
  | 'answer_dispute'
  | 'download_bill'
  | 'manage_notifications'
  | 'view_balance'
  | 'withdraw'
  | 'manage_payout_account'
  | 'manage_keys'
  | 'manage_staff';

const ALLOWED: Record<MerchantAction, readonly MerchantRole[]> = {
  view_trades: ['owner', 'finance', 'support'],
  refund: ['owner', 'finance'],
  answer_dispute: ['owner', 'support'],
  download_bill: ['owner', 'finance'],
  manage_notifications: ['owner', 'finance', 'support'],
  view_balance: ['owner', 'finance'],
  withdraw: ['owner', 'finance'],
  manage_payout_account: ['owner'],
  manage_keys: ['owner'],
  manage_staff: ['owner'],
};

export function mayDo(role: MerchantRole, action: MerchantAction): boolean {
  return ALLOWED[action].includes(role);
}

export function isMerchantRole(value: string): value is MerchantRole {
  return (MERCHANT_ROLES as readonly string[]).includes(value);
}
