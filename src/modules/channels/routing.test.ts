// Channel routing: healthier first, cheaper among the equally healthy, a window that forgets, and
// the success-rate gauge on the shared metrics registry.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.ts';
import { registry } from '../../engine/metrics.ts';
import { channelOutcome, createChannelRouter } from './routing.ts';

const channels = [
  { bank: 'ICBC', feeBps: 30 },
  { bank: 'CCB', feeBps: 20 },
  { bank: 'CMB', feeBps: 10 },
];

const fixedNow = () => Date.UTC(2026, 0, 1);

function feed(router: ReturnType<typeof createChannelRouter>, bank: string, successes: number, failures: number) {
  for (let i = 0; i < successes; i++) router.record(bank, 'succeeded');
  for (let i = 0; i < failures; i++) router.record(bank, 'failed');
}

describe('channel routing', () => {
  it('prefers the cheapest when all are equally healthy, and ignores banks it has no fee for', () => {
    const router = createChannelRouter({ channels, now: fixedNow, publishMetrics: false });
    expect(router.pick(['ICBC', 'CCB', 'CMB', 'BOC'])).toBe('CMB');
    expect(router.pick(['ICBC', 'CCB'])).toBe('CCB');
    expect(router.pick(['BOC'])).toBeUndefined();
  });

  it('prefers the healthier bank over the cheaper one', () => {
    const router = createChannelRouter({ channels, now: fixedNow, windowSize: 10, publishMetrics: false });
    feed(router, 'CMB', 5, 5);
    feed(router, 'CCB', 10, 0);
    feed(router, 'ICBC', 9, 1);
    expect(router.rank(['ICBC', 'CCB', 'CMB']).map((s) => s.bank)).toEqual(['CCB', 'ICBC', 'CMB']);
    expect(router.successRate('CMB')).toBe(0.5);
  });

  it('lets cost decide within the tolerance band', () => {
    const router = createChannelRouter({ channels, now: fixedNow, windowSize: 100, tolerance: 0.05, publishMetrics: false });
    feed(router, 'CCB', 100, 0);
    feed(router, 'CMB', 97, 3);
    expect(router.pick(['CCB', 'CMB'])).toBe('CMB');
  });

  it('forgets outcomes that slid out of the window', () => {
    const router = createChannelRouter({ channels, now: fixedNow, windowSize: 4, publishMetrics: false });
    feed(router, 'CMB', 0, 4);
    expect(router.pick(['CCB', 'CMB'])).toBe('CCB');
    feed(router, 'CMB', 4, 0);
    expect(router.successRate('CMB')).toBe(1);
    expect(router.pick(['CCB', 'CMB'])).toBe('CMB');
  });

  it('counts unknown and bank declines against the channel, not the card holder`s lack of funds', () => {
    expect(channelOutcome({ status: 'failed', reason: 'insufficient_funds' })).toBeUndefined();
    expect(channelOutcome({ status: 'failed', reason: 'bank_declined', bankRef: 'R' })).toBe('failed');
    expect(channelOutcome({ status: 'unknown', cause: 'timeout', message: '' })).toBe('unknown');
    const router = createChannelRouter({ channels, now: fixedNow, publishMetrics: false });
    router.recordResult('ICBC', { status: 'failed', reason: 'insufficient_funds' });
    router.recordResult('ICBC', { status: 'unknown', cause: 'timeout', message: '' });
    router.recordResult('ICBC', { status: 'succeeded', bankRef: 'R1' });
    expect(router.stats().find((s) => s.bank === 'ICBC')).toEqual({ bank: 'ICBC', successRate: 0.5, samples: 2, feeBps: 30 });
  });

  it('publishes formica_channel_success_rate per bank', async () => {
    const router = createChannelRouter({ channels, now: fixedNow });
    feed(router, 'CCB', 3, 1);
    const text = await registry.metrics();
    expect(text).toContain('formica_channel_success_rate{bank="CCB"} 0.75');
  });

  it('forgets outcomes by age, so a channel it stopped using is tried again', () => {
    const clock = new ManualClock();
    const router = createChannelRouter({ channels, now: () => clock.now(), maxAgeMs: 60_000, publishMetrics: false });
    feed(router, 'CMB', 0, 10);
    expect(router.pick(['CMB', 'CCB'])).toBe('CCB');
    clock.advance(30_000);
    feed(router, 'CCB', 1, 0);
    clock.advance(31_000);
    expect(router.successRate('CMB')).toBeUndefined();
    expect(router.pick(['CMB', 'CCB'])).toBe('CMB');
    expect(router.rank(['CCB'])[0].samples).toBe(1);
  });
});
