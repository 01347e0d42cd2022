// The trade lifecycle: the states merchants know from the public trade APIs and the one table of
// moves between them. Every state change goes through assertTransition, so a move the table does
// not list is a bug caught where it happens, never a silent corruption.
export const TRADE_STATUSES = [
  'WAIT_BUYER_PAY',
  'WAIT_SELLER_SEND_GOODS',
  'WAIT_BUYER_CONFIRM_GOODS',
  'TRADE_SUCCESS',
  'TRADE_FINISHED',
  'TRADE_CLOSED',
] as const;

export type TradeStatus = (typeof TRADE_STATUSES)[number];

export function isTradeStatus(value: string): value is TradeStatus {
  return (TRADE_STATUSES as readonly string[]).includes(value);
}

/** Why a trade moves; the service names the event, the table decides if the move is legal. */
export type TradeEvent = 'pay_instant' | 'pay_escrow' | 'ship' | 'settle' | 'refund_partial' | 'refund_full' | 'close' | 'finish';

const TRANSITIONS: Readonly<Record<TradeStatus, Partial<Record<TradeEvent, TradeStatus>>>> = {
  WAIT_BUYER_PAY: { pay_instant: 'TRADE_SUCCESS', pay_escrow: 'WAIT_SELLER_SEND_GOODS', close: 'TRADE_CLOSED' },
  WAIT_SELLER_SEND_GOODS: { ship: 'WAIT_BUYER_CONFIRM_GOODS', settle: 'TRADE_SUCCESS', refund_partial: 'WAIT_SELLER_SEND_GOODS', refund_full: 'TRADE_CLOSED' },
  WAIT_BUYER_CONFIRM_GOODS: { settle: 'TRADE_SUCCESS', refund_partial: 'WAIT_BUYER_CONFIRM_GOODS', refund_full: 'TRADE_CLOSED' },
  TRADE_SUCCESS: { refund_partial: 'TRADE_SUCCESS', refund_full: 'TRADE_CLOSED', finish: 'TRADE_FINISHED' },
  TRADE_FINISHED: {},
  TRADE_CLOSED: {},
};

/** The state after `event`, or undefined when the table has no such move. */
export function nextStatus(from: TradeStatus, event: TradeEvent): TradeStatus | undefined {
  return TRANSITIONS[from][event];
}

/** For moves the service already checked: an unlisted one is a programmer error. */
export function assertTransition(from: TradeStatus, event: TradeEvent): TradeStatus {
  const to = nextStatus(from, event);
  if (to === undefined) throw new Error(`illegal trade transition ${from} --${event}-->`);
  return to;
}

/** Money held by the platform, not yet the seller's. */
export function isHeld(status: TradeStatus): boolean {
  return status === 'WAIT_SELLER_SEND_GOODS' || status === 'WAIT_BUYER_CONFIRM_GOODS';
}

export function isPaid(status: TradeStatus): boolean {
  return status !== 'WAIT_BUYER_PAY' && status !== 'TRADE_CLOSED';
}
