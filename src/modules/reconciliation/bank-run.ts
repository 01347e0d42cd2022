// One counterparty's reconciliation of one statement date (a bank's statement, a biller's
// settlement file): match every line, find Formica's operations the statement lacks (shorts, kept
// waiting one day), and end the previous day's waiting shorts. Every step is idempotent: an item
// already recorded is not redone, and ledger ids are derived.
import type { OperationRecord } from '../cards/card-payments.ts';
import type { StatementLine } from '../channels/statement-csv.ts';
import { bookedEffect, classify, type Verdict } from './classify.ts';
import type { Counterparty } from './counterparty.ts';
import { addDays, type DayConfig, dayWindow } from './day.ts';
import type { ItemStore } from './item-store.ts';
import type { ReconItem, ReconProgress } from './recon-types.ts';
import type { SuspenseLedger } from './suspense-ledger.ts';

export interface RunDeps {
  readonly items: ItemStore;
  readonly ledger: SuspenseLedger;
  readonly day: DayConfig;
  readonly alert: (item: ReconItem) => void;
  readonly progress: ReconProgress;
}

export async function reconcileCounterparty(deps: RunDeps, cp: Counterparty, date: string): Promise<void> {
  const bank = cp.name;
  await cp.openAccounts();
  deps.progress(bank, 'statement', 0, 1);
  const statement = await cp.statement(date);
  if (statement.status !== 'ok') {
    await deps.items.saveRun(bank, date, 'statement_unavailable', 0, `the statement could not be read (${statement.why}); run again later`, cp.kind);
    return;
  }
  const seen = new Set<string>();
  for (const [index, line] of statement.lines.entries()) {
    const key = seen.has(line.requestId) ? `${line.requestId}#${index}` : line.requestId;
    await matchLine(deps, cp, date, line, key, seen.has(line.requestId));
    seen.add(line.requestId);
    deps.progress(bank, 'lines', index + 1, statement.lines.length);
  }
  deps.progress(bank, 'shorts', 0, 1);
  await recordShorts(deps, cp, date, seen);
  await endWaitingShorts(deps, cp, addDays(date, -1), date, seen);
  await deps.items.saveRun(bank, date, 'complete', statement.lines.length, '', cp.kind);
  deps.progress(bank, 'done', 1, 1);
}

async function matchLine(deps: RunDeps, cp: Counterparty, date: string, line: StatementLine, key: string, duplicate: boolean): Promise<void> {
  const bank = cp.name;
  if (await deps.items.get(bank, date, key)) return;
  const found = duplicate ? undefined : await cp.operation(line.requestId);
  // A line repeated on the statement is money the bank moved twice: the repeat has no operation.
  const op = found?.bank === bank ? found : undefined;
  let status = op?.status;
  let settled = false;
  if (op && (status === 'pending' || status === 'started') && line.type === (op.kind === 'topup' ? 'debit' : 'credit')) {
    status = await cp.settleByStatement(op.opId, line.status === 'succeeded', 'failed on the bank statement');
    settled = status === 'succeeded' || status === 'failed';
  }
  const verdict = classify(line, op, status, settled);
  const item: ReconItem = {
    bank,
    date,
    lineKey: key,
    kind: verdict.kind,
    state: verdict.state,
    opId: op?.opId ?? '',
    lineType: line.type,
    bankAmountMinor: line.amountMinor,
    formicaAmountMinor: op?.amountMinor ?? null,
    suspenseMinor: verdict.deltaMinor,
    transferId: '',
    alert: verdict.alert,
    note: verdict.note,
    resolution: '',
    resolutionTransferId: '',
  };
  const stored = await recordItem(deps, cp, item, verdict);
  if (stored.alert) deps.alert(stored);
}

/** Stores the line's item; a difference is parked in suspense in the same commit as its item. */
async function recordItem(deps: RunDeps, cp: Counterparty, item: ReconItem, verdict: Verdict): Promise<ReconItem> {
  if (verdict.deltaMinor === 0n) return deps.items.insert(item);
  let stored: ReconItem | undefined;
  const move = await deps.ledger.park(cp, item.lineKey, verdict.deltaMinor, '', async (tx, parked) => {
    stored = await deps.items.insert({ ...item, transferId: parked.transferId }, tx);
  });
  if (!move.done || !stored) throw new Error(`cannot park ${verdict.deltaMinor} fen of ${item.bank}/${item.lineKey} in suspense: ${move.result}`);
  return stored;
}

/** Formica's operations of the day that the statement lacks: wait for the next day's file. */
async function recordShorts(deps: RunDeps, cp: Counterparty, date: string, seen: ReadonlySet<string>): Promise<void> {
  const bank = cp.name;
  const { fromMs, toMs } = dayWindow(date, deps.day);
  for (const op of await cp.operationsBetween(fromMs, toMs)) {
    if (seen.has(op.opId) || op.status === 'failed' || op.status === 'reversed') continue;
    if ((await deps.items.get(bank, date, op.opId)) || (await deps.items.opSeenElsewhere(bank, op.opId, date))) continue;
    await deps.items.insert({
      bank,
      date,
      lineKey: op.opId,
      kind: 'short',
      state: 'short_pending',
      opId: op.opId,
      lineType: '',
      bankAmountMinor: null,
      formicaAmountMinor: op.amountMinor,
      suspenseMinor: 0n,
      transferId: '',
      alert: false,
      note: `Formica has it (${op.status}), the bank does not: waiting for the statement of ${addDays(date, 1)}`,
      resolution: '',
      resolutionTransferId: '',
    });
  }
}

/** `previous`'s shorts: found on `date`'s statement they are done; otherwise they are reversed now. */
async function endWaitingShorts(deps: RunDeps, cp: Counterparty, previous: string, date: string, seen: ReadonlySet<string>): Promise<void> {
  for (const item of await deps.items.inState(cp.name, previous, 'short_pending')) {
    if (seen.has(item.opId)) {
      await deps.items.update(item, 'short_pending', { state: 'found_next_day', note: `on the statement of ${date}` });
      continue;
    }
    await reverseShort(deps, cp, item, date);
  }
}

async function reverseShort(deps: RunDeps, cp: Counterparty, item: ReconItem, date: string): Promise<void> {
  const op = await cp.operation(item.opId);
  const why = `not on the statements of ${item.date} and ${date}`;
  if (!op) throw new Error(`short ${item.bank}/${item.lineKey} names no operation`);
  if (op.status === 'pending' || op.status === 'started') {
    const status = await cp.settleByStatement(op.opId, false, `reversed: ${why}`);
    await deps.items.update(item, 'short_pending', { state: 'reversed', note: `voided (${status}): ${why}` });
    return;
  }
  if (op.status !== 'succeeded') {
    await deps.items.update(item, 'short_pending', { state: 'reversed', note: `already ${op.status}: ${why}` });
    return;
  }
  await reversePosted(deps, cp, item, op, why);
}

async function reversePosted(deps: RunDeps, cp: Counterparty, item: ReconItem, op: OperationRecord, why: string): Promise<void> {
  const reversal = await deps.ledger.reverse(cp, op, async (tx, move) => {
    await cp.markReversed(op.opId, `reversed by reconciliation: ${why}`, tx);
    await deps.items.update(item, 'short_pending', { state: 'reversed', transferId: move.transferId, note: `reversing transfer posted: ${why}` }, tx);
  });
  if (reversal.done) return;
  // The wallet has spent the money already: the reserve is corrected and the user owes the suspense.
  const delta = -bookedEffect(op, 'succeeded');
  const note = `cannot reverse (${reversal.result}); parked in suspense for review: ${why}`;
  let moved = false;
  const parked = await deps.ledger.park(cp, item.lineKey, delta, 'short', async (tx, move) => {
    moved = await deps.items.update(item, 'short_pending', { state: 'open', alert: true, suspenseMinor: delta, transferId: move.transferId, note }, tx);
  });
  if (!parked.done) throw new Error(`cannot park the short ${item.bank}/${item.lineKey}: ${parked.result}`);
  if (moved) deps.alert({ ...item, state: 'open', alert: true, suspenseMinor: delta, transferId: parked.transferId, note });
}
