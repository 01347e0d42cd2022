// Which of a card's channels a payment goes through: the router ranks the card's bound banks (best
// recent success rate, then lowest fee), and a failure that is the bank's fault may be retried
// once on the next one. Never after an `unknown` answer: the bank may yet move the money.
import type { MoneyResult } from '../channels/bank-client-types.ts';
import { type ChannelRouter, channelOutcome } from '../channels/routing.ts';
import type { ChannelRecord } from './card-channels.ts';

/** The card's bound channels, best first. */
export function rankChannels(router: ChannelRouter, channels: readonly ChannelRecord[]): ChannelRecord[] {
  const bound = channels.filter((c) => c.status === 'bound');
  // A bank missing from the fee configuration still gets routed to, at the fee its channel recorded.
  for (const c of bound) joinRouter(router, c.bank, c.feeBps);
  const order = router.rank(bound.map((c) => c.bank)).map((s) => s.bank);
  return order.map((bank) => bound.find((c) => c.bank === bank)!);
}

export function joinRouter(router: ChannelRouter, bank: string, feeBps: number): void {
  if (router.fee(bank) === undefined) router.setFee(bank, feeBps);
}

/** Only a definitive decline that says the channel is unhealthy is worth another channel. */
export function worthRetrying(answer: MoneyResult): boolean {
  return answer.status === 'failed' && channelOutcome(answer) === 'failed';
}

/** The retry's own request id (the next bank sees a new request); no caller's id starts with 'retry:'. */
export function retryRequestId(requestId: string): string {
  return `retry:${requestId}`;
}
