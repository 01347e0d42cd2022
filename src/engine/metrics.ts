// Engine metrics for /metrics. One registry per process; the HTTP shell exposes it.
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

export const ledgerBatches = new client.Counter({
  name: 'formica_ledger_batches_total',
  help: 'Batches committed by the ledger engine, by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const ledgerEvents = new client.Counter({
  name: 'formica_ledger_events_total',
  help: 'Ledger events processed, by kind and result',
  labelNames: ['kind', 'result'] as const,
  registers: [registry],
});

export const ledgerBatchSize = new client.Histogram({
  name: 'formica_ledger_batch_events',
  help: 'Events per committed batch (group commit gathers many callers into one)',
  buckets: [1, 8, 64, 256, 1024, 4096, 8189],
  registers: [registry],
});

export const ledgerCommitSeconds = new client.Histogram({
  name: 'formica_ledger_commit_seconds',
  help: 'Time to load, apply and durably commit one batch',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
  registers: [registry],
});
