// Runs the shared ledger conformance cases (derived from the reference state machine's tests) against
// the pure core through the in-memory ledger, on an injected clock.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AccountFlag, TransferFlag } from './flags.ts';
import { bits, MemoryLedger } from './test-support/memory-ledger.ts';
import type { AccountEvent, TransferEvent } from './types.ts';

interface JsonEvent {
  readonly id: string;
  readonly flags?: string[];
  readonly ledger?: number;
  readonly code?: number;
  readonly user_data?: string;
  readonly debit_account_id?: string;
  readonly credit_account_id?: string;
  readonly amount?: string;
  readonly pending_id?: string;
  readonly timeout?: number;
}

interface JsonStep {
  readonly op: 'accounts' | 'transfers' | 'expect_account' | 'wait';
  readonly events?: JsonEvent[];
  readonly expect?: string[];
  readonly id?: string;
  readonly absent?: boolean;
  readonly seconds?: number;
  readonly debits_pending?: string;
  readonly debits_posted?: string;
  readonly credits_pending?: string;
  readonly credits_posted?: string;
}

interface JsonCase {
  readonly name: string;
  readonly steps: JsonStep[];
}

const CASES_URL = new URL('../../test/conformance/ledger-cases.json', import.meta.url);
const { cases } = JSON.parse(readFileSync(CASES_URL, 'utf8')) as { cases: JsonCase[] };

function toAccount(e: JsonEvent): AccountEvent {
  return { id: e.id, ledger: e.ledger ?? 0, code: e.code ?? 0, flags: bits(AccountFlag, e.flags ?? []), userData: e.user_data ?? '' };
}

function toTransfer(e: JsonEvent): TransferEvent {
  return {
    id: e.id,
    debitAccountId: e.debit_account_id ?? null,
    creditAccountId: e.credit_account_id ?? null,
    amount: e.amount === undefined ? null : BigInt(e.amount),
    pendingId: e.pending_id ?? null,
    timeout: e.timeout ?? 0,
    ledger: e.ledger ?? 0,
    code: e.code ?? 0,
    flags: bits(TransferFlag, e.flags ?? []),
    userData: e.user_data ?? null,
  };
}

function runStep(ledger: MemoryLedger, step: JsonStep, where: string): void {
  const events = step.events ?? [];
  if (step.op === 'accounts') {
    expect(ledger.createAccounts(events.map(toAccount)), where).toEqual(step.expect);
  } else if (step.op === 'transfers') {
    expect(ledger.createTransfers(events.map(toTransfer)), where).toEqual(step.expect);
  } else if (step.op === 'wait') {
    ledger.advance(step.seconds ?? 0);
  } else if (step.absent) {
    expect(ledger.balances(step.id ?? ''), where).toBeUndefined();
  } else {
    const b = ledger.balances(step.id ?? '');
    expect(b, where).toBeDefined();
    const got = [b?.debitsPending, b?.debitsPosted, b?.creditsPending, b?.creditsPosted].map(String);
    expect(got, where).toEqual([step.debits_pending, step.debits_posted, step.credits_pending, step.credits_posted]);
  }
}

describe('ledger conformance cases', () => {
  it('has the 24 documented cases', () => {
    expect(cases).toHaveLength(24);
  });

  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    const ledger = new MemoryLedger();
    const prefix = `c${i}_`;
    c.steps.forEach((raw, n) => {
      const step = JSON.parse(JSON.stringify(raw).replaceAll('{p}', prefix)) as JsonStep;
      runStep(ledger, step, `step ${n} (${step.op})`);
      ledger.assertInvariants();
    });
  });
});
