// The social section of `npm run bench` (`npm run bench -- social` runs it alone): red packet opens
// under a burst and the campaign's reveal at scale, on the embedded store.
//   Opens: one 100-share lucky packet and 10,000 openers, in process (10,000 distinct members of one
//   group, the group cap raised for the burst, all opening at once) and over HTTP (the real server,
//   the spec's 500-member group, 499 members each racing about 20 times, the load from its own
//   process through 500 connections). A warm-up packet first, then the measured one. Every row
//   checks the packet afterwards: exactly 100 opens, the shares summing to the amount, nobody twice,
//   nothing oversold, no 5xx.
//   Reveal: a fresh store per size, a funded campaign and that many complete sets planted, then the
//   reveal timed end to end (winners fixed, wallets opened, batches paid); every fen is checked.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFormica, type Formica } from '../src/app.ts';
import { sha256 } from '../src/http/auth.ts';
import { buildServer } from '../src/http/server.ts';
import { campaignPoolAccountId } from '../src/modules/books/chart.ts';
import { plantCompleteSets } from '../src/modules/campaign/campaign-test-support.ts';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { RedPacketService } from '../src/modules/redpacket/redpacket.ts';
import { SocialService } from '../src/modules/social/social.ts';
import { integer, renderTable } from './report.ts';
import type { OpenLoadPlan, OpenLoadResult } from './social-load.ts';

const OPENERS = 10_000;
const SHARES = 100;
const AMOUNT_MINOR = 20_000n;
const OPENS_TARGET = 50_000;
/** The spec's group cap is 500: the sender and 499 openers. */
const HTTP_MEMBERS = 499;
const HTTP_CONNECTIONS = 500;
/** The reveal's sizes; BENCH_REVEAL_WINNERS=10000,50000 chooses others (empty: the opens alone). */
const REVEAL_SIZES = (process.env.BENCH_REVEAL_WINNERS ?? '100000,1000000').split(',').filter(Boolean).map(Number);
/** 215,000,000.00 CNY, the 2016 pool. */
const POOL_MINOR = 21_500_000_000n;
const ROOT = new URL('..', import.meta.url).pathname;

interface OpenRow {
  readonly scenario: string;
  readonly attempts: number;
  readonly seconds: number;
  readonly check: PacketCheck;
  readonly serverErrors: number;
}

interface PacketCheck {
  readonly opened: number;
  readonly sumMinor: bigint;
  readonly twice: number;
}

interface RevealRow {
  readonly winners: number;
  readonly seconds: number;
  readonly paidMinor: bigint;
  readonly remainderMinor: bigint;
  readonly ok: boolean;
}

/** What the packet's own rows say after the burst. */
async function checkPacket(app: Formica, packetId: string, viewerId: string): Promise<PacketCheck> {
  const detail = await app.redPackets.detail(packetId, viewerId);
  const openers = new Set(detail.opened.map((o) => o.userId));
  return { opened: detail.opened.length, sumMinor: detail.opened.reduce((s, o) => s + o.amountMinor, 0n), twice: detail.opened.length - openers.size };
}

async function newSender(app: Formica): Promise<string> {
  const { id } = await app.identity.register({ phone: '13600000000', password: 'correct horse', name: 'Sender' });
  await app.identity.addEvidence(id, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: 'bench', verifiedBy: 'operator' });
  await app.wallet.adjust({ userId: id, amountMinor: 1_000_000n, currency: 'CNY', direction: 'credit', reason: 'bench funds', requestId: `bench-${id}` });
  return id;
}

function sendLucky(packets: RedPacketService, senderId: string, groupId: string, requestId: string) {
  return packets.send(senderId, { groupId, kind: 'lucky', amountMinor: AMOUNT_MINOR, currency: 'CNY', shares: SHARES, greeting: '', requestId });
}

async function opensInProcess(app: Formica, senderId: string): Promise<OpenRow> {
  const social = await SocialService.open({
    db: app.sql,
    writer: app.engine,
    identity: app.identity,
    clock: app.clock,
    ids: app.ids,
    policy: { maxGroupMembers: OPENERS + 1, maxFriends: 1 },
  });
  const packets = await RedPacketService.open({ db: app.sql, engine: app.engine, runner: app.runner, clock: app.clock, wallet: app.wallet, social });
  const openers = Array.from({ length: OPENERS }, (_, i) => `usr_BENCH${String(i).padStart(17, '0')}`);
  const { groupId } = await social.createGroup(senderId, { name: 'Bench', memberIds: openers });
  for (let i = 0; i < openers.length; i += 1_000) await Promise.all(openers.slice(i, i + 1_000).map((id) => app.wallet.openWallet(id)));
  const burst = async (requestId: string) => {
    const { packetId } = await sendLucky(packets, senderId, groupId, requestId);
    const started = performance.now();
    await Promise.allSettled(openers.map((id) => packets.openPacket(packetId, id)));
    return { packetId, seconds: (performance.now() - started) / 1000 };
  };
  await burst('bench-warm-up');
  const { packetId, seconds } = await burst('bench-in-process');
  return { scenario: 'S1 opens, in process', attempts: OPENERS, seconds, check: await checkPacket(app, packetId, senderId), serverErrors: 0 };
}

async function member(app: Formica, i: number): Promise<{ id: string; token: string }> {
  const phone = `137${String(i).padStart(8, '0')}`;
  const user = await app.identity.register({ phone, password: 'correct horse', name: `Member ${i}` });
  await app.wallet.openWallet(user.id);
  return { id: user.id, token: (await app.identity.login({ phone, password: 'correct horse' })).token };
}

/** Runs bench/social-load.ts in its own process and returns what it measured. */
async function runOpenLoad(plan: OpenLoadPlan): Promise<OpenLoadResult> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bench/social-load.ts', JSON.stringify(plan)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`open load worker exited with ${code}`);
  return JSON.parse(out.trim()) as OpenLoadResult;
}

async function opensOverHttp(app: Formica, senderId: string): Promise<OpenRow> {
  const server = await buildServer(app, { operatorTokenHash: sha256(randomBytes(16).toString('hex')) });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  try {
    const members: { id: string; token: string }[] = [];
    // Registrations and logins hash a password (scrypt): a few at a time.
    for (let i = 0; i < HTTP_MEMBERS; i += 8) {
      members.push(...(await Promise.all(Array.from({ length: Math.min(8, HTTP_MEMBERS - i) }, (_, j) => member(app, i + j)))));
    }
    const { groupId } = await app.social.createGroup(senderId, { name: 'Bench HTTP', memberIds: members.map((m) => m.id) });
    const tokens = members.map((m) => m.token);
    const burst = async (requestId: string) => {
      const { packetId } = await sendLucky(app.redPackets, senderId, groupId, requestId);
      const load = await runOpenLoad({ url, path: `/v1/red-packets/${packetId}/open`, connections: HTTP_CONNECTIONS, amount: OPENERS, tokens });
      return { packetId, load };
    };
    await burst('bench-http-warm-up');
    const { packetId, load } = await burst('bench-http');
    const answered = Object.values(load.statuses).reduce((a, b) => a + b, 0);
    const serverErrors = Object.entries(load.statuses).reduce((n, [status, count]) => n + (Number(status) >= 500 ? count : 0), 0) + load.errors;
    const check = await checkPacket(app, packetId, senderId);
    if ((load.statuses[200] ?? 0) !== check.opened) process.stderr.write(`  HTTP: ${load.statuses[200] ?? 0} answers 200 but ${check.opened} opens stored\n`);
    return { scenario: 'S2 opens, HTTP', attempts: answered, seconds: load.seconds, check, serverErrors };
  } finally {
    await server.close();
  }
}

async function withFreshApp<T>(use: (app: Formica) => Promise<T>): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-bench-social-'));
  const app = await createFormica({ dataDir, runJobs: false, sandbox: false });
  try {
    return await use(app);
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function revealOnce(winners: number): Promise<RevealRow> {
  return withFreshApp(async (app) => {
    const campaignId = 'bench';
    await app.campaigns.create({
      campaignId,
      name: 'bench',
      poolMinor: POOL_MINOR,
      currency: 'CNY',
      odds: { 富强: 1, 爱国: 1, 和谐: 1, 友善: 1, 敬业: 1 },
      dailyCardCap: 5,
      revealAt: app.clock.now() + 86_400_000,
      split: 'equal',
    });
    await plantCompleteSets(
      app.sql,
      campaignId,
      Array.from({ length: winners }, (_, i) => `usr_bench_${i}`),
    );
    const started = performance.now();
    const result = await app.campaigns.reveal(campaignId);
    const seconds = (performance.now() - started) / 1000;
    const pool = await app.store.getAccount(campaignPoolAccountId(campaignId));
    const left = (pool?.creditsPosted ?? 0n) - (pool?.debitsPosted ?? 0n);
    const ok =
      result.winners === winners && result.paidWinners === winners && result.paidMinor + result.remainderMinor === POOL_MINOR && left === result.remainderMinor;
    return { winners, seconds, paidMinor: result.paidMinor, remainderMinor: result.remainderMinor, ok };
  });
}

function opensCells(r: OpenRow): string[] {
  const perSecond = r.attempts / r.seconds;
  const ok = r.check.opened === SHARES && r.check.sumMinor === AMOUNT_MINOR && r.check.twice === 0 && r.serverErrors === 0;
  return [
    r.scenario,
    integer(r.attempts),
    `${r.seconds.toFixed(2)} s`,
    `${integer(perSecond)} opens/s`,
    `opened ${r.check.opened}/${SHARES}, sum ${r.check.sumMinor}/${AMOUNT_MINOR} fen, twice ${r.check.twice}, oversold ${Math.max(0, r.check.opened - SHARES)}, 5xx ${r.serverErrors}: ${ok ? 'OK' : 'FAILED'}`,
    `>= ${integer(OPENS_TARGET)} opens/s`,
    `${((perSecond / OPENS_TARGET) * 100).toFixed(0)}%`,
  ];
}

function revealCells(r: RevealRow, first: RevealRow): string[] {
  const perWinnerUs = (r.seconds * 1e6) / r.winners;
  const firstUs = (first.seconds * 1e6) / first.winners;
  return [
    `S3 reveal, ${integer(r.winners)} winners`,
    integer(r.winners),
    `${r.seconds.toFixed(1)} s`,
    `${integer(r.winners / r.seconds)} winners/s, ${perWinnerUs.toFixed(1)} µs/winner`,
    `paid ${r.paidMinor} + remainder ${r.remainderMinor} = ${POOL_MINOR} fen: ${r.ok ? 'OK' : 'FAILED'}`,
    'linear (µs/winner flat)',
    r === first ? '-' : `${(perWinnerUs / firstUs).toFixed(2)}x the µs/winner of ${integer(first.winners)}`,
  ];
}

/** The social rows as one printed table and its note. */
export async function socialSection(log: (text: string) => void): Promise<string> {
  log(`  red packet opens: ${integer(OPENERS)} openers of one ${SHARES}-share packet, in process`);
  const opens = await withFreshApp(async (app) => {
    const senderId = await newSender(app);
    const inProcess = await opensInProcess(app, senderId);
    log(`  red packet opens over HTTP: ${HTTP_MEMBERS} members registered and logged in, then ${integer(OPENERS)} opens`);
    return [inProcess, await opensOverHttp(app, senderId)];
  });
  const reveals: RevealRow[] = [];
  for (const size of REVEAL_SIZES) {
    log(`  campaign reveal: ${integer(size)} complete sets`);
    reveals.push(await revealOnce(size));
  }
  const failed = opens.some((r) => r.check.opened !== SHARES || r.check.sumMinor !== AMOUNT_MINOR || r.check.twice > 0 || r.serverErrors > 0);
  if (failed || reveals.some((r) => !r.ok)) process.exitCode = 1;
  const table = renderTable(
    ['scenario', 'attempts / winners', 'time', 'throughput', 'checks', 'target', 'vs target'],
    [...opens.map(opensCells), ...reveals.map((r) => revealCells(r, reveals[0]))],
  );
  return `${table}\n\n${socialNote()}`;
}

function socialNote(): string {
  return (
    `Red packets (SQLite, the WAL fsynced before each answer): one ${SHARES}-share lucky packet of ${AMOUNT_MINOR} fen, a warm-up packet first. ` +
    `S1: ${integer(OPENERS)} distinct members open at once in the server's process; S2: the real Fastify server in this process, ` +
    `${HTTP_MEMBERS} members with sessions, ${integer(OPENERS)} opens round robin over ${HTTP_CONNECTIONS} keep-alive connections from autocannon ` +
    'in its own process. Opens/s counts every answered attempt (100 take a share, the rest are refused already_opened or packet_finished); ' +
    "the checks read the packet's stored opens afterwards. Reveal: a fresh store per size, the equal split of 215,000,000.00 CNY, " +
    'complete sets planted in the card table, timed from the reveal call to the last batch paid.'
  );
}
