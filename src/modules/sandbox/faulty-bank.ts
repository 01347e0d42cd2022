// The bank client as the sandbox hands it out: money calls (debits and credits: top-ups, card
// payments, withdrawals, refunds to cards) fail as ordered; bindings, queries and statements pass,
// so a fault is spent on the operation under test, never on a background query.
import type { BankClient, MoneyRequest, MoneyResult } from '../channels/bank-client.ts';
import type { FaultKind, FaultSource } from './faults.ts';

type MoneyCall = (request: MoneyRequest) => Promise<MoneyResult>;

export function faultyBankClient(inner: BankClient, faults: FaultSource): BankClient {
  return {
    ...inner,
    debit: withFaults((r) => inner.debit(r), faults),
    credit: withFaults((r) => inner.credit(r), faults),
  };
}

function withFaults(call: MoneyCall, faults: FaultSource): MoneyCall {
  return async (request) => {
    const kind = faults.take('bank');
    return kind ? faulty(kind, call, request) : call(request);
  };
}

async function faulty(kind: FaultKind, call: MoneyCall, request: MoneyRequest): Promise<MoneyResult> {
  switch (kind) {
    case 'decline':
      // The bank refuses and moves nothing.
      return { status: 'failed', reason: 'bank_declined' };
    case 'timeout':
      // The request never reached the bank: no answer, nothing moved; a query finds nothing.
      return { status: 'unknown', cause: 'timeout', message: 'no answer from the bank (sandbox fault: timeout)' };
    case 'late_answer': {
      // The bank does the work but its answer is lost: a query or the statement tells the outcome.
      await call(request);
      return { status: 'unknown', cause: 'timeout', message: 'the answer came too late (sandbox fault: late_answer)' };
    }
    case 'duplicate':
      // The request reaches the bank twice under one request id; the second answer is the one heard.
      await call(request);
      return call(request);
    case 'down':
      return { status: 'unknown', cause: 'network', message: 'connect ECONNREFUSED (sandbox fault: down)' };
  }
}
