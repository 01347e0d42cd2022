// The Double-11 load worker, run as its own process (`node --import tsx bench/double11/load.ts
// '<order>'`): an open-loop generator that starts flows at a rate ramping from 10% to 100% of the
// target in `rampSeconds`, holds it, and prints one JSON LoadReport line. A flow due while
// `maxInFlight` are running is shed and counted, so a server that cannot keep up shows as such.
import fs from 'node:fs';
import { JsonClient } from './client.ts';
import { type FlowRun, flowMakers } from './flows.ts';
import { type Acknowledged, FLOW_SHARES, FLOWS, type Flow, type FlowTally, type LoadOrder, type LoadReport, type RateProfile } from './plan.ts';
import { exponentForTopShare, zipfSampler } from './zipf.ts';

const TICK_MS = 5;
const PROGRESS_MS = 10_000;
const DRAIN_LIMIT_MS = 60_000;
/** The top 1% of merchants take half of the payments. */
const HOT_MERCHANT_SHARE = 0.5;

/** Flows due by `t` seconds into the run: the integral of the ramped rate. */
function flowsDueBy(t: number, p: RateProfile): number {
  const ramp = Math.min(t, p.rampSeconds);
  const rampDue = p.targetPerSecond * (0.1 * ramp + (0.45 * ramp * ramp) / p.rampSeconds);
  return rampDue + p.targetPerSecond * Math.max(0, t - p.rampSeconds);
}

class Tally {
  started = 0;
  ok = 0;
  failed = 0;
  shed = 0;
  okInHold = 0;
  firstFailure: string | null = null;
  readonly latencies: number[] = [];

  report(): FlowTally {
    const sorted = Float64Array.from(this.latencies).sort();
    const at = (q: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10 : null);
    const { started, ok, failed, shed, okInHold, firstFailure } = this;
    return { started, ok, failed, shed, okInHold, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: at(1), firstFailure };
  }
}

function pickFlow(): Flow {
  let u = Math.random();
  for (const flow of FLOWS) {
    u -= FLOW_SHARES[flow];
    if (u < 0) return flow;
  }
  return FLOWS[0];
}

function randomAmount(): string {
  return `0.${String(1 + Math.floor(Math.random() * 50)).padStart(2, '0')}`;
}

async function main(): Promise<void> {
  const order = JSON.parse(fs.readFileSync(JSON.parse(process.argv[2] ?? '') as string, 'utf8')) as LoadOrder;
  const { world, profile } = order;
  const client = new JsonClient(world.url, profile.maxInFlight);
  const top = Math.max(1, Math.round(world.merchants.length / 100));
  const merchantRank = zipfSampler(world.merchants.length, exponentForTopShare(world.merchants.length, top, HOT_MERCHANT_SHARE));
  const makers = flowMakers({
    client,
    world,
    merchant: () => world.merchants[merchantRank()],
    buyer: () => world.buyerTokens[Math.floor(Math.random() * world.buyerTokens.length)],
    amount: randomAmount,
  });
  const tallies = Object.fromEntries(FLOWS.map((f) => [f, new Tally()])) as Record<Flow, Tally>;
  const ack: Acknowledged = { tradeNos: [], opens: [], subscriptionIds: [] };
  const totalSeconds = profile.rampSeconds + profile.holdSeconds;
  const startedAt = performance.now();
  const elapsed = () => (performance.now() - startedAt) / 1000;
  let inFlight = 0;
  let launched = 0;

  const launch = (flow: Flow, run: FlowRun) => {
    const tally = tallies[flow];
    tally.started++;
    inFlight++;
    const begin = performance.now();
    run(ack)
      .then(
        () => {
          tally.ok++;
          tally.latencies.push(performance.now() - begin);
          const t = elapsed();
          if (t >= profile.rampSeconds && t < totalSeconds) tally.okInHold++;
        },
        (error: unknown) => {
          tally.failed++;
          tally.firstFailure ??= error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => {
        inFlight--;
      });
  };

  const progress = setInterval(() => {
    const ok = FLOWS.reduce((n, f) => n + tallies[f].ok, 0);
    const failed = FLOWS.reduce((n, f) => n + tallies[f].failed, 0);
    process.stderr.write(`  t=${elapsed().toFixed(0)}s started ${launched} ok ${ok} failed ${failed} in flight ${inFlight}\n`);
  }, PROGRESS_MS);

  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const t = elapsed();
      const due = Math.floor(flowsDueBy(Math.min(t, totalSeconds), profile));
      for (; launched < due; launched++) {
        const flow = pickFlow();
        if (inFlight >= profile.maxInFlight) tallies[flow].shed++;
        else launch(flow, makers[flow]());
      }
      if (t >= totalSeconds) {
        clearInterval(tick);
        resolve();
      }
    }, TICK_MS);
  });
  const drainUntil = performance.now() + DRAIN_LIMIT_MS;
  while (inFlight > 0 && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 50));
  clearInterval(progress);
  client.close();

  fs.writeFileSync(order.ackFile, JSON.stringify(ack));
  const report: LoadReport = {
    holdSeconds: profile.holdSeconds,
    flows: Object.fromEntries(FLOWS.map((f) => [f, tallies[f].report()])) as Record<Flow, FlowTally>,
    acknowledged: { trades: ack.tradeNos.length, opens: ack.opens.length, subscriptions: ack.subscriptionIds.length },
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main();
