// The two ways the ledger is driven: full batches from one caller, and single-transfer commands
// from many concurrent in-process callers gathered by the engine's group commit.
import { MAX_BATCH_EVENTS } from '../src/ledger/index.ts';
import type { Fixture } from './fixture.ts';
import { percentile } from './report.ts';
import type { Workload } from './workload.ts';

export interface Measurement {
  readonly transfers: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly failed: number;
}

export interface Timing {
  readonly warmupMs: number;
  readonly measureMs: number;
}

/**
 * One caller sends batches of `MAX_BATCH_EVENTS` back to back. The calls are timed, and so is the
 * work the store defers between them (account-index catch-up) and a final catch-up, so every
 * measured transfer is indexed when the window closes. Generating the events is not timed.
 */
export async function runBatches(fx: Fixture, load: Workload, timing: Timing): Promise<Measurement> {
  const warmupEnd = performance.now() + timing.warmupMs;
  while (performance.now() < warmupEnd) await fx.engine.createTransfers(load.transfers(MAX_BATCH_EVENTS));
  await fx.settle();
  let generateMs = 0;
  let transfers = 0;
  let failed = 0;
  const latencies: number[] = [];
  const windowStart = performance.now();
  while (performance.now() - windowStart - generateMs < timing.measureMs) {
    const generating = performance.now();
    const events = load.transfers(MAX_BATCH_EVENTS);
    const started = performance.now();
    generateMs += started - generating;
    const results = await fx.engine.createTransfers(events);
    latencies.push(performance.now() - started);
    transfers += events.length;
    failed += results.filter((r) => r !== 'ok').length;
  }
  await fx.settle();
  return measurement(transfers, performance.now() - windowStart - generateMs, latencies, failed);
}

/** `callers` closed loops, each awaiting one single-transfer command before sending the next. */
export async function runConcurrent(fx: Fixture, load: Workload, callers: number, timing: Timing): Promise<Measurement> {
  let phase: 'warmup' | 'measure' | 'stop' = 'warmup';
  const latencies: number[] = [];
  let failed = 0;
  const caller = async () => {
    while (phase !== 'stop') {
      const counted = phase === 'measure';
      const started = performance.now();
      const [result] = await fx.engine.createTransfers([load.transfer()]);
      if (counted && phase === 'measure') {
        latencies.push(performance.now() - started);
        if (result !== 'ok') failed++;
      }
    }
  };
  const loops = Array.from({ length: callers }, caller);
  await sleep(timing.warmupMs);
  // The window starts with no deferred work pending and ends with its own share done.
  await fx.settle();
  phase = 'measure';
  const started = performance.now();
  await sleep(timing.measureMs);
  phase = 'stop';
  await fx.settle();
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(loops);
  return measurement(latencies.length, seconds * 1000, latencies, failed);
}

function measurement(transfers: number, ms: number, latencies: number[], failed: number): Measurement {
  const sorted = Float64Array.from(latencies).sort();
  return { transfers, seconds: ms / 1000, perSecond: transfers / (ms / 1000), p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), failed };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
