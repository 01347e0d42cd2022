// Red packet opens under a burst: one 100-share packet and OPENERS concurrent openers (default
// 10,000), in process (distinct members of one group, the group cap raised for the burst) and over
// HTTP through the real server (the spec's 500-member group, each of 499 members racing about OPENERS / 499
// times). Prints opens per second and the checks: exactly 100 opens, the shares summing to the
// amount, nobody twice, nothing oversold, no 5xx. Run: npx tsx bench/redpacket-open.ts
// (DATABASE_URL for PostgreSQL; REDPACKET_OPENERS to change the crowd).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFormica, type Formica } from '../src/app.ts';
import { sha256 } from '../src/http/auth.ts';
import { buildServer } from '../src/http/server.ts';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { RedPacketService } from '../src/modules/redpacket/redpacket.ts';
import { SocialService } from '../src/modules/social/social.ts';

/** Requests in flight at once over HTTP. */
const HTTP_IN_FLIGHT = 500;
const OPENERS = Number(process.env.REDPACKET_OPENERS ?? 10_000);
const SHARES = 100;
const AMOUNT_MINOR = 20_000n;
// The sender is the 500th member.
const HTTP_MEMBERS = Math.min(499, OPENERS);

interface Outcome {
  readonly userId: string;
  readonly amountMinor: bigint | null;
  readonly status: number;
}

function report(label: string, outcomes: readonly Outcome[], seconds: number): void {
  const won = outcomes.filter((o) => o.amountMinor !== null);
  const sum = won.reduce((s, o) => s + (o.amountMinor ?? 0n), 0n);
  const twice = won.length - new Set(won.map((o) => o.userId)).size;
  const serverErrors = outcomes.filter((o) => o.status >= 500).length;
  const ok = won.length === SHARES && sum === AMOUNT_MINOR && twice === 0 && serverErrors === 0;
  console.log(
    `${label.padEnd(10)} ${String(outcomes.length).padStart(6)} openers  ${Math.round(outcomes.length / seconds)
      .toLocaleString('en')
      .padStart(8)} opens/s  ` +
      `opened ${won.length}/${SHARES}  sum ${sum}/${AMOUNT_MINOR} fen  twice ${twice}  oversold ${Math.max(0, won.length - SHARES)}  5xx ${serverErrors}  ${ok ? 'OK' : 'FAILED'}`,
  );
  if (!ok) process.exitCode = 1;
}

async function newSender(app: Formica): Promise<string> {
  const phone = `138${randomBytes(4).readUInt32BE() % 100_000_000}`.padEnd(11, '0');
  const { id } = await app.identity.register({ phone, password: 'correct horse', name: 'Sender' });
  await app.identity.addEvidence(id, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: 'bench', verifiedBy: 'operator' });
  await app.wallet.adjust({ userId: id, amountMinor: 1_000_000n, currency: 'CNY', direction: 'credit', reason: 'bench funds', requestId: `bench-${id}` });
  return id;
}

async function inProcess(app: Formica, senderId: string): Promise<void> {
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
  const { packetId } = await packets.send(senderId, {
    groupId,
    kind: 'lucky',
    amountMinor: AMOUNT_MINOR,
    currency: 'CNY',
    shares: SHARES,
    greeting: '',
    requestId: 'bench-in-process',
  });
  const started = performance.now();
  const settled = await Promise.allSettled(openers.map((id) => packets.openPacket(packetId, id)));
  const seconds = (performance.now() - started) / 1000;
  report(
    'in process',
    settled.map((r, i) => ({
      userId: openers[i],
      amountMinor: r.status === 'fulfilled' ? r.value.amountMinor : null,
      status: r.status === 'fulfilled' ? 200 : 409,
    })),
    seconds,
  );
}

async function overHttp(app: Formica, senderId: string): Promise<void> {
  const server = await buildServer(app, { operatorTokenHash: sha256(randomBytes(16).toString('hex')) });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  try {
    const members: { id: string; token: string }[] = [];
    while (members.length < HTTP_MEMBERS) {
      const wave = await Promise.all(
        Array.from({ length: Math.min(16, HTTP_MEMBERS - members.length) }, async () => {
          const phone = `137${String(members.length + Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
          const user = await app.identity.register({ phone, password: 'correct horse', name: 'Member' });
          await app.wallet.openWallet(user.id);
          return { id: user.id, token: (await app.identity.login({ phone, password: 'correct horse' })).token };
        }),
      );
      members.push(...wave);
    }
    const { groupId } = await app.social.createGroup(senderId, { name: 'Bench HTTP', memberIds: members.map((m) => m.id) });
    const { packetId } = await app.redPackets.send(senderId, {
      groupId,
      kind: 'lucky',
      amountMinor: AMOUNT_MINOR,
      currency: 'CNY',
      shares: SHARES,
      greeting: '',
      requestId: 'bench-http',
    });
    const attempts = Array.from({ length: OPENERS }, (_, i) => members[i % members.length]);
    const open = async (m: (typeof members)[number]): Promise<Outcome> => {
      const reply = await fetch(`${url}/v1/red-packets/${packetId}/open`, { method: 'POST', headers: { authorization: `Bearer ${m.token}` } });
      const body = (await reply.json()) as { amount?: string };
      return { userId: m.id, amountMinor: reply.status === 200 && body.amount ? BigInt(body.amount.replace('.', '')) : null, status: reply.status };
    };
    // One process cannot hold 10,000 sockets open to one listener (its backlog drops them): the
    // attempts go through HTTP_IN_FLIGHT connections at a time, all of them racing for the 100 shares.
    const outcomes: Outcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < attempts.length) outcomes.push(await open(attempts[next++]));
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: HTTP_IN_FLIGHT }, worker));
    report('HTTP', outcomes, (performance.now() - started) / 1000);
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-bench-rp-'));
  const schema = process.env.DATABASE_URL ? `bench_rp_${randomBytes(4).toString('hex')}` : undefined;
  const app = await createFormica({ dataDir, databaseUrl: process.env.DATABASE_URL, databaseSchema: schema, runJobs: false, sandbox: false });
  try {
    console.log(`red packet opens, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}: one ${SHARES}-share packet of ${AMOUNT_MINOR} fen`);
    const senderId = await newSender(app);
    await inProcess(app, senderId);
    await overHttp(app, senderId);
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
