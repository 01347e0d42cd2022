import { describe, expect, it } from 'vitest';
import type { TransferEvent } from '../ledger/index.ts';
import { ManualClock } from './clock.ts';
import { MinuteActivity } from './minute-activity.ts';

const codes = { payments: new Set([10, 11]), transfers: new Set([1]), packetsOpened: new Set([61]) };

function event(code: number, pendingId: string | null = null): TransferEvent {
  return { id: `t${Math.random()}`, debitAccountId: 'a', creditAccountId: 'b', amount: 1n, pendingId, timeout: 0, ledger: 156, code, flags: 0, userData: null };
}

describe('MinuteActivity', () => {
  it('counts created, successful transfers of each series in the current minute', () => {
    const clock = new ManualClock();
    const activity = new MinuteActivity(clock, codes);
    activity.record(
      [[event(10), event(12)], [event(1), event(1)], [event(11, 'hold-1')], [event(61), event(61), event(61)]],
      [['ok', 'ok'], ['ok', 'exceeds_credits'], ['ok'], ['ok', 'ok', 'exists']],
    );
    const s = activity.series();
    expect(s.counts.payments.length).toBe(60);
    expect(s.counts.payments.at(-1)).toBe(1);
    expect(s.counts.transfers.at(-1)).toBe(1);
    expect(s.counts.packetsOpened.at(-1)).toBe(2);
    expect(s.minuteStartsMs.at(-1)! % 60_000).toBe(0);
  });

  it('moves minutes along and forgets what is older than the window', () => {
    const clock = new ManualClock();
    const activity = new MinuteActivity(clock, codes);
    activity.record([[event(1)]], [['ok']]);
    clock.advance(5 * 60_000);
    activity.record([[event(10), event(10)]], [['ok', 'ok']]);
    let s = activity.series();
    expect(s.counts.transfers.at(-6)).toBe(1);
    expect(s.counts.payments.at(-1)).toBe(2);
    clock.advance(60 * 60_000);
    activity.record([[event(1)]], [['ok']]);
    s = activity.series();
    expect(s.counts.transfers.reduce((a, b) => a + b, 0)).toBe(1);
    expect(s.counts.payments.reduce((a, b) => a + b, 0)).toBe(0);
    expect(s.counts.packetsOpened.every((n) => n === 0)).toBe(true);
  });

  it('refuses a code claimed by two series', () => {
    expect(() => new MinuteActivity(new ManualClock(), { a: new Set([1]), b: new Set([1]) })).toThrow(/two activity series/);
  });
});
