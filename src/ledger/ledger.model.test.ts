// Model-based test: random workloads run on the core (through the in-memory ledger) and on a plain
// reference model written from the spec; every result code, balance and closed flag must agree, and
// the invariants must hold after every step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT_MINOR } from '../money/amount.ts';
import { AccountFlag, TransferFlag } from './flags.ts';
import { bits, MemoryLedger, START_NS } from './test-support/memory-ledger.ts';
import { type ModelAccountEvent, type ModelTransferEvent, ReferenceLedger } from './test-support/reference-model.ts';
import type { AccountEvent, TransferEvent } from './types.ts';

/** A transfer whose ids are resolved when the workload runs, against what was sent before. */
interface TransferTemplate {
  readonly event: ModelTransferEvent;
  /** null: a fresh id; n: the n-th most recent id sent. */
  readonly idRef: number | null;
  /** For posts and voids: the n-th most recent pending transfer sent (null keeps the generated one). */
  readonly pendingRef: number | null;
  /** Replays an earlier event (the n-th most recent), changing field `mutate` unless it is out of range. */
  readonly replay: { readonly ref: number; readonly mutate: number } | null;
}

type Command =
  | { readonly kind: 'accounts'; readonly events: ModelAccountEvent[] }
  | { readonly kind: 'transfers'; readonly requests: TransferTemplate[][] }
  | { readonly kind: 'advance'; readonly seconds: number };

const ACCOUNT_IDS = ['A0', 'A1', 'A2', 'A3', 'A4', 'A5'];
const AMOUNTS = [1n, 2n, 3n, 5n, 8n, 10n, 20n, 50n];

/** Optional flags, each present with the given chance (in percent). */
function flagSet(chances: Record<string, number>): fc.Arbitrary<string[]> {
  const names = Object.keys(chances);
  return fc.tuple(...names.map((n) => fc.integer({ min: 0, max: 99 }).map((roll) => roll < chances[n]))).map((on) => names.filter((_, i) => on[i]));
}

function rare<T>(common: fc.Arbitrary<T>, ...odd: T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 15, arbitrary: common }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
}

const accountEvent: fc.Arbitrary<ModelAccountEvent> = fc.record({
  id: fc.constantFrom(...ACCOUNT_IDS),
  ledger: rare(fc.constantFrom(1, 1, 1, 2), 0),
  code: rare(fc.constantFrom(1, 1, 2), 0),
  flags: flagSet({ debits_must_not_exceed_credits: 30, credits_must_not_exceed_debits: 20, linked: 15, closed: 4 }),
  userData: fc.constantFrom('', '', 'u1'),
});

const amount = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...AMOUNTS) },
  { weight: 1, arbitrary: fc.constantFrom<bigint | null>(null, 0n) },
  { weight: 1, arbitrary: fc.constantFrom(MAX_AMOUNT_MINOR, MAX_AMOUNT_MINOR - 1n) },
);

const LEDGER_1 = ['A0', 'A1', 'A2', 'A5'];
const LEDGER_2 = ['A3', 'A4'];

/** Mostly two accounts of one ledger, with that ledger; sometimes anything. */
type Accounts = [string, string, number];
const accountsAndLedger: fc.Arbitrary<Accounts> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...LEDGER_1), fc.constantFrom(...LEDGER_1), fc.constant(1)) as fc.Arbitrary<Accounts> },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...LEDGER_2), fc.constantFrom(...LEDGER_2), fc.constant(2)) as fc.Arbitrary<Accounts> },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...ACCOUNT_IDS, 'AX'), fc.constantFrom(...ACCOUNT_IDS, 'AX'), fc.constantFrom(0, 1, 2)) },
);

const singleTransfer: fc.Arbitrary<ModelTransferEvent> = fc
  .record({
    accounts: accountsAndLedger,
    dropAccount: rare(fc.constant(0), 1, 2),
    amount,
    pendingId: rare(fc.constant(null), 'T0'),
    timeout: fc.constantFrom(0, 0, 1, 2, 5),
    strayTimeout: rare(fc.constant(0), 3),
    code: rare(fc.constantFrom(1, 1, 2), 0),
    flags: flagSet({ linked: 15, pending: 45, balancing_debit: 12, balancing_credit: 12, closing_debit: 5, closing_credit: 5 }),
    userData: fc.constantFrom<string | null>(null, null, 'x', 'y'),
  })
  .map(({ accounts: [dr, cr, ledger], dropAccount, timeout, strayTimeout, ...e }) => ({
    ...e,
    id: '',
    dr: dropAccount === 1 ? null : dr,
    cr: dropAccount === 2 ? null : cr,
    ledger,
    timeout: e.flags.includes('pending') ? timeout : strayTimeout,
  }));

const secondPhase: fc.Arbitrary<ModelTransferEvent> = fc
  .record({
    dr: fc.constantFrom<string | null>(null, null, null, 'A0', 'A1'),
    cr: fc.constantFrom<string | null>(null, null, null, 'A1', 'A2'),
    amount: fc.constantFrom<bigint | null>(null, null, 0n, 1n, 3n, 5n, 10n, 100n),
    timeout: rare(fc.constant(0), 1),
    ledger: fc.constantFrom(0, 0, 0, 1, 2),
    code: fc.constantFrom(0, 0, 0, 1, 2),
    post: fc.boolean(),
    extra: flagSet({ linked: 15, pending: 2, void_pending_transfer: 2 }),
    userData: fc.constantFrom<string | null>(null, null, 'x', 'z'),
  })
  .map(({ post, extra, ...rest }) => ({
    ...rest,
    id: '',
    pendingId: null,
    flags: [...new Set([post ? 'post_pending_transfer' : 'void_pending_transfer', ...extra])],
  }));

const idRef = fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat(8) });

const template: fc.Arbitrary<TransferTemplate> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ event: singleTransfer, idRef, pendingRef: fc.constant(null), replay: fc.constant(null) }) },
  { weight: 4, arbitrary: fc.record({ event: secondPhase, idRef, pendingRef: rare(fc.nat(4), null), replay: fc.constant(null) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      event: singleTransfer,
      idRef: fc.constant(null),
      pendingRef: fc.constant(null),
      replay: fc.record({ ref: fc.nat(10), mutate: fc.nat(16) }),
    }),
  },
);

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: fc.array(accountEvent, { minLength: 1, maxLength: 3 }).map((events) => ({ kind: 'accounts' as const, events })) },
  {
    weight: 8,
    arbitrary: fc
      .array(fc.array(template, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 2 })
      .map((requests) => ({ kind: 'transfers' as const, requests })),
  },
  { weight: 2, arbitrary: fc.constantFrom(0, 1, 2, 3, 6).map((seconds) => ({ kind: 'advance' as const, seconds })) },
);

/** Field changes a replay may carry, in the order the spec compares them. */
const MUTATIONS: ((e: ModelTransferEvent) => ModelTransferEvent)[] = [
  (e) => ({ ...e, flags: e.flags.includes('linked') ? e.flags.filter((f) => f !== 'linked') : [...e.flags, 'linked'] }),
  (e) => ({ ...e, pendingId: e.pendingId ? null : 'T1' }),
  (e) => ({ ...e, timeout: e.timeout + 1 }),
  (e) => ({ ...e, dr: e.dr === 'A0' ? 'A1' : 'A0' }),
  (e) => ({ ...e, cr: null }),
  (e) => ({ ...e, amount: (e.amount ?? 0n) + 1n }),
  (e) => ({ ...e, amount: e.amount === null ? 1n : null }),
  (e) => ({ ...e, userData: e.userData === 'x' ? null : 'x' }),
  (e) => ({ ...e, ledger: e.ledger === 0 ? 1 : 0 }),
  (e) => ({ ...e, code: e.code + 1 }),
];

/** Turns templates into events, remembering what was sent so later templates can refer to it. */
class Resolver {
  private fresh = 0;
  private readonly sent: ModelTransferEvent[] = [];
  private readonly pendings: string[] = [];

  resolve(t: TransferTemplate): ModelTransferEvent {
    const event = t.replay ? this.replayOf(t.replay) : this.withIds(t);
    this.sent.push(event);
    return event;
  }

  /** Only pending transfers that were created are worth posting or voiding later. */
  accepted(events: readonly ModelTransferEvent[], results: readonly string[]): void {
    events.forEach((e, i) => {
      if (results[i] === 'ok' && e.flags.includes('pending')) this.pendings.push(e.id);
    });
  }

  private withIds(t: TransferTemplate): ModelTransferEvent {
    const id = t.idRef === null || this.sent.length === 0 ? `T${this.fresh++}` : recent(this.sent, t.idRef).id;
    const pendingId = t.pendingRef === null || this.pendings.length === 0 ? t.event.pendingId : recent(this.pendings, t.pendingRef);
    return { ...t.event, id, pendingId };
  }

  private replayOf(r: { ref: number; mutate: number }): ModelTransferEvent {
    if (this.sent.length === 0) return { ...MUTATIONS[0]({ ...emptyEvent(), id: `T${this.fresh++}` }) };
    const original = recent(this.sent, r.ref);
    return r.mutate < MUTATIONS.length ? MUTATIONS[r.mutate](original) : { ...original };
  }
}

function recent<T>(list: readonly T[], back: number): T {
  return list[list.length - 1 - (back % list.length)];
}

function emptyEvent(): ModelTransferEvent {
  return { id: '', dr: 'A0', cr: 'A3', amount: 1n, pendingId: null, timeout: 0, ledger: 1, code: 1, flags: [], userData: null };
}

/** Every run starts from the same accounts, so transfers have something to move between. */
const OPENING: ModelAccountEvent[] = [
  { id: 'A0', ledger: 1, code: 1, flags: [], userData: '' },
  { id: 'A1', ledger: 1, code: 1, flags: ['debits_must_not_exceed_credits'], userData: '' },
  { id: 'A2', ledger: 1, code: 1, flags: ['credits_must_not_exceed_debits'], userData: '' },
  { id: 'A3', ledger: 2, code: 1, flags: [], userData: '' },
  { id: 'A4', ledger: 2, code: 1, flags: ['debits_must_not_exceed_credits'], userData: '' },
];

/** Opening balances for the limited accounts (A5 is left for the workload to create). */
const FUNDING: ModelTransferEvent[] = [
  { id: 'F0', dr: 'A0', cr: 'A1', amount: 60n, pendingId: null, timeout: 0, ledger: 1, code: 1, flags: [], userData: null },
  { id: 'F1', dr: 'A2', cr: 'A0', amount: 60n, pendingId: null, timeout: 0, ledger: 1, code: 1, flags: [], userData: null },
  { id: 'F2', dr: 'A3', cr: 'A4', amount: 60n, pendingId: null, timeout: 0, ledger: 2, code: 1, flags: [], userData: null },
];

function toAccountEvent(e: ModelAccountEvent): AccountEvent {
  return { ...e, flags: bits(AccountFlag, e.flags) };
}

function toTransferEvent(e: ModelTransferEvent): TransferEvent {
  return {
    id: e.id,
    debitAccountId: e.dr,
    creditAccountId: e.cr,
    amount: e.amount,
    pendingId: e.pendingId,
    timeout: e.timeout,
    ledger: e.ledger,
    code: e.code,
    flags: bits(TransferFlag, e.flags),
    userData: e.userData,
  };
}

/** How often each result code came up, to keep the generator honest. */
const seen = new Map<string, number>();

function count(results: readonly string[]): void {
  for (const r of results) seen.set(r, (seen.get(r) ?? 0) + 1);
}

function step(core: MemoryLedger, model: ReferenceLedger, resolver: Resolver, cmd: Command): void {
  if (cmd.kind === 'accounts') {
    const expected = model.createAccounts(cmd.events);
    expect(core.createAccounts(cmd.events.map(toAccountEvent))).toEqual(expected);
    count(expected.map((r) => `account:${r}`));
  } else if (cmd.kind === 'transfers') {
    const requests = cmd.requests.map((r) => r.map((t) => resolver.resolve(t)));
    const expected = requests.map((events) => model.createTransfers(events));
    requests.forEach((events, i) => {
      resolver.accepted(events, expected[i]);
    });
    expect(core.transferBatch(requests.map((r) => r.map(toTransferEvent)))).toEqual(expected);
    count(expected.flat());
  } else {
    core.advance(cmd.seconds);
    model.advance(cmd.seconds);
  }
}

function compareState(core: MemoryLedger, model: ReferenceLedger): void {
  expect([...core.accounts.keys()].sort()).toEqual(model.accountIds().sort());
  for (const id of model.accountIds()) {
    const m = model.account(id)!;
    const expected = { debitsPending: m.dp, debitsPosted: m.dpo, creditsPending: m.cp, creditsPosted: m.cpo, closed: m.flags.includes('closed') };
    expect({ ...core.balances(id), closed: core.isClosed(id) }, id).toEqual(expected);
  }
  core.assertInvariants();
}

function runWorkload(commands: readonly Command[]): void {
  const core = new MemoryLedger(START_NS);
  const model = new ReferenceLedger(START_NS);
  const resolver = new Resolver();
  step(core, model, resolver, { kind: 'accounts', events: OPENING });
  const funded = model.createTransfers(FUNDING);
  expect(core.createTransfers(FUNDING.map(toTransferEvent))).toEqual(funded);
  for (const cmd of commands) {
    step(core, model, resolver, cmd);
    compareState(core, model);
  }
}

describe('ledger core against the reference model', () => {
  it('agrees on every result and balance over random workloads', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 5, maxLength: 40 }), (commands) => {
        runWorkload(commands);
      }),
      { numRuns: 1000 },
    );
    // The workloads must keep reaching the interesting paths, or agreement proves little.
    const required = [
      'ok',
      'exists',
      'exceeds_credits',
      'exceeds_debits',
      'pending_transfer_expired',
      'pending_transfer_already_posted',
      'linked_event_failed',
      'id_already_failed',
      'debit_account_already_closed',
      'exists_with_different_amount',
    ];
    expect(required.filter((code) => !seen.has(code))).toEqual([]);
    expect(seen.get('ok')).toBeGreaterThan(300);
  });
});
