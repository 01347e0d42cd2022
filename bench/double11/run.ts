// `npm run bench -- double11 [--rate N] [--ramp S] [--hold S] [--soak]`: the spec's Double-11 peak
// through the real HTTP API. The server runs on a fresh embedded store in its own process, the
// load worker in another; afterwards the store is checked: the ledger balances to the fen and every
// acknowledged payment, open and subscription is there. `--soak` holds for 10 minutes and samples
// the server's resident memory and V8 heap.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runWorker, startServer } from '../http-children.ts';
import { formicaEnv } from '../http.ts';
import { integer, renderTable } from '../report.ts';
import { type CheckReport, checkAfterRun } from './check.ts';
import { type MemorySample, memoryLines, sampleMemory } from './memory.ts';
import { type Acknowledged, FLOW_LABEL, FLOW_SHARES, FLOWS, type LoadOrder, type LoadReport, type RateProfile } from './plan.ts';
import { PACKET_SHARES, setupWorld, type WorldSize } from './setup.ts';

const SOAK_HOLD_SECONDS = 600;
const MEMORY_SAMPLE_MS = 10_000;
const WORKER_SLACK_MS = 120_000;
/** Packets for the opens the run can start, with room to spare. */
const PACKET_MARGIN = 1.2;

function option(argv: readonly string[], name: string, fallback: number): number {
  const at = argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function profileOf(argv: readonly string[]): RateProfile {
  const soak = argv.includes('--soak');
  return {
    targetPerSecond: option(argv, 'rate', 2_000),
    rampSeconds: option(argv, 'ramp', 60),
    holdSeconds: soak ? SOAK_HOLD_SECONDS : option(argv, 'hold', 60),
    maxInFlight: option(argv, 'in-flight', 512),
  };
}

function sizeOf(argv: readonly string[], profile: RateProfile): WorldSize {
  return { merchants: option(argv, 'merchants', 200), buyers: option(argv, 'buyers', 300), packets: packetsFor(profile) };
}

function packetsFor(p: RateProfile): number {
  const flows = p.targetPerSecond * (0.55 * p.rampSeconds + p.holdSeconds);
  return Math.ceil((flows * FLOW_SHARES.packet * PACKET_MARGIN) / PACKET_SHARES);
}

const ms = (v: number | null) => (v === null ? '-' : v.toFixed(1));

function flowTable(report: LoadReport): string {
  const cells = FLOWS.map((flow) => {
    const t = report.flows[flow];
    return [
      FLOW_LABEL[flow],
      `${FLOW_SHARES[flow] * 100}%`,
      integer(t.started),
      integer(t.ok),
      integer(t.failed),
      integer(t.shed),
      integer(t.okInHold / report.holdSeconds),
      ms(t.p50Ms),
      ms(t.p95Ms),
      ms(t.p99Ms),
      ms(t.maxMs),
    ];
  });
  const headers = ['flow', 'mix', 'started', 'ok', 'failed', 'shed', 'ok/s in hold', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];
  return renderTable(headers, cells);
}

function summary(profile: RateProfile, report: LoadReport, check: CheckReport, memory: readonly MemorySample[]): string {
  const hold = report.holdSeconds;
  const flowsPerSecond = FLOWS.reduce((n, f) => n + report.flows[f].okInHold, 0) / hold;
  const payments = (report.flows.instant.okInHold + report.flows.escrow.okInHold) / hold;
  const lines = [
    `flows completed in the hold: ${integer(flowsPerSecond)}/s of ${integer(profile.targetPerSecond)}/s offered ` +
      `(${((flowsPerSecond / profile.targetPerSecond) * 100).toFixed(0)}%); payments (instant + escrow) ${integer(payments)}/s`,
    `books: ${check.ledgerProblems.length === 0 ? 'balanced, every ledger invariant holds' : `${check.ledgerProblems.length} problem(s): ${check.ledgerProblems.slice(0, 3).join('; ')}`} ` +
      `(${integer(check.accounts)} accounts, ${integer(check.transfers)} transfers verified)`,
    `acknowledged and present: trades ${integer(report.acknowledged.trades - check.missingTrades)}/${integer(report.acknowledged.trades)}, ` +
      `opens ${integer(report.acknowledged.opens - check.missingOpens)}/${integer(report.acknowledged.opens)}, ` +
      `subscriptions ${integer(report.acknowledged.subscriptions - check.missingSubscriptions)}/${integer(report.acknowledged.subscriptions)}`,
  ];
  lines.push(...memoryLines(memory, MEMORY_SAMPLE_MS / 1000));
  for (const flow of FLOWS) {
    const failure = report.flows[flow].firstFailure;
    if (failure) lines.push(`first ${flow} failure: ${failure}`);
  }
  return lines.join('\n');
}

function conditions(profile: RateProfile, size: WorldSize): string {
  return (
    `Double-11 scenario: ${os.cpus().length} cores, Node.js ${process.version}; one Formica API process on the embedded store ` +
    `(SQLite, WAL fsynced before ack), the load worker in its own process on the same cores, open loop over HTTP/1.1 keep-alive ` +
    `(at most ${profile.maxInFlight} flows in flight; a flow due beyond that is shed). Rate ramps from 10% to 100% of ` +
    `${integer(profile.targetPerSecond)} flows/s in ${profile.rampSeconds} s, then holds ${profile.holdSeconds} s. ${size.merchants} merchants ` +
    `(Zipf: the top 1% take half the payments), ${size.buyers} buyers drawn uniformly, amounts 0.01-0.50 CNY. Latency is per whole ` +
    'flow (the escrow flow is four requests, the instant flow two, both with RSA-signed merchant calls).'
  );
}

export async function double11(argv: readonly string[], log: (text: string) => void): Promise<void> {
  const profile = profileOf(argv);
  const size = sizeOf(argv, profile);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-double11-'));
  const token = randomBytes(16).toString('hex');
  const ackFile = path.join(dataDir, 'acknowledged.json');
  try {
    const server = await startServer('src/cli/main.ts', ['serve', '--no-demo'], formicaEnv(dataDir, token));
    const memory: MemorySample[] = [];
    let report: LoadReport;
    try {
      const world = await setupWorld({ url: server.url, token }, size, log);
      log(`  load: ramp to ${integer(profile.targetPerSecond)} flows/s in ${profile.rampSeconds} s, hold ${profile.holdSeconds} s`);
      const sampler = setInterval(() => {
        void sampleMemory(server, token).then((sample) => memory.push(sample));
      }, MEMORY_SAMPLE_MS);
      // The order (with the merchants' keys) is too big for a command line: the worker reads it from a file.
      const orderFile = path.join(dataDir, 'order.json');
      fs.writeFileSync(orderFile, JSON.stringify({ world, profile, ackFile } satisfies LoadOrder), { mode: 0o600 });
      const limit = (profile.rampSeconds + profile.holdSeconds) * 1000 + WORKER_SLACK_MS;
      report = await runWorker<LoadReport>(new URL('./load.ts', import.meta.url).pathname, orderFile, limit).finally(() => clearInterval(sampler));
    } finally {
      await server.stop();
    }
    log('  check: the store reopened, every ledger invariant and every acknowledged operation');
    const check = await checkAfterRun(dataDir, JSON.parse(fs.readFileSync(ackFile, 'utf8')) as Acknowledged);
    console.log(flowTable(report));
    console.log(`\n${summary(profile, report, check, memory)}`);
    console.log(`\n${conditions(profile, size)}`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
