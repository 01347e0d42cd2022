// Channel figures for /metrics: the payment success rate per bank is a headline of the operations
// dashboard, so it is a gauge kept current by the router.
import client from 'prom-client';
import { registry } from '../../engine/metrics.ts';

export const channelSuccessRate = new client.Gauge({
  name: 'formica_channel_success_rate',
  help: 'Share of recent channel calls that succeeded (sliding window per bank; 0..1)',
  labelNames: ['bank'] as const,
  registers: [registry],
});
