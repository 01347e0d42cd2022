// A deliberately plain reference ledger written from the spec alone, for model-based tests: whole-state
// copies for chain rollback, one list of checks per event kind, no shared code with the core.
const MAX = (1n << 63n) - 1n;
const NS = 1_000_000_000n;

export interface ModelAccount {
  id: string;
  ledger: number;
  code: number;
  flags: string[];
  userData: string;
  dp: bigint;
  dpo: bigint;
  cp: bigint;
  cpo: bigint;
}

interface ModelTransfer {
  id: string;
  dr: string;
  cr: string;
  amount: bigint;
  pendingId: string;
  timeout: number;
  ledger: number;
  code: number;
  flags: string[];
  userData: string;
  expiresAt: bigint;
}

type Status = 'pending' | 'posted' | 'voided' | 'expired';

interface State {
  accounts: Map<string, ModelAccount>;
  transfers: Map<string, ModelTransfer>;
  status: Map<string, Status>;
}

export interface ModelAccountEvent {
  id: string;
  ledger: number;
  code: number;
  flags: string[];
  userData: string;
}

export interface ModelTransferEvent {
  id: string;
  dr: string | null;
  cr: string | null;
  amount: bigint | null;
  pendingId: string | null;
  timeout: number;
  ledger: number;
  code: number;
  flags: string[];
  userData: string | null;
}

type Check = [boolean | (() => boolean), string];

/** The first code whose condition holds, in order; conditions may be lazy. */
function firstFailure(checks: Check[]): string | null {
  for (const [condition, code] of checks) {
    if (typeof condition === 'function' ? condition() : condition) return code;
  }
  return null;
}

const TRANSIENT = [
  'debit_account_not_found',
  'credit_account_not_found',
  'pending_transfer_not_found',
  'exceeds_credits',
  'exceeds_debits',
  'debit_account_already_closed',
  'credit_account_already_closed',
];

function sameFlags(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((f) => b.includes(f));
}

function copyState(s: State): State {
  return {
    accounts: new Map([...s.accounts].map(([k, a]) => [k, { ...a, flags: [...a.flags] }])),
    transfers: new Map(s.transfers),
    status: new Map(s.status),
  };
}

export class ReferenceLedger {
  private state: State = { accounts: new Map(), transfers: new Map(), status: new Map() };
  private readonly failed = new Set<string>();
  private last = 0n;
  now: bigint;

  constructor(now: bigint) {
    this.now = now;
  }

  account(id: string): ModelAccount | undefined {
    return this.state.accounts.get(id);
  }

  accountIds(): string[] {
    return [...this.state.accounts.keys()];
  }

  advance(seconds: number): void {
    this.now += BigInt(seconds) * NS;
    for (const [id, status] of this.state.status) {
      const p = this.state.transfers.get(id)!;
      if (status === 'pending' && p.expiresAt !== 0n && p.expiresAt <= this.now) this.release(p, 0n, 'expired');
    }
  }

  createAccounts(events: ModelAccountEvent[]): string[] {
    return this.chained(events, (e) => this.createAccount(e));
  }

  createTransfers(events: ModelTransferEvent[]): string[] {
    return this.chained(events, (e) => {
      const result = this.createTransfer(e);
      if (TRANSIENT.includes(result)) this.failed.add(e.id);
      return result;
    });
  }

  private stamp(): bigint {
    this.last = this.now > this.last ? this.now : this.last + 1n;
    return this.last;
  }

  private chained<E extends { flags: string[] }>(events: E[], apply: (e: E) => string): string[] {
    const results: string[] = [];
    let saved: State | null = null;
    let start = -1;
    let broken = false;
    events.forEach((e, i) => {
      const linked = e.flags.includes('linked');
      if (linked && start < 0) {
        start = i;
        saved = copyState(this.state);
      }
      let r: string;
      if (linked && i === events.length - 1) r = 'linked_event_chain_open';
      else if (broken) r = 'linked_event_failed';
      else r = apply(e);
      if (r !== 'ok' && start >= 0 && !broken) {
        broken = true;
        this.state = saved!;
        for (let j = start; j < i; j++) results[j] = 'linked_event_failed';
      }
      results[i] = r;
      if (start >= 0 && (!linked || r === 'linked_event_chain_open')) {
        start = -1;
        broken = false;
        saved = null;
      }
    });
    return results;
  }

  private createAccount(e: ModelAccountEvent): string {
    const old = this.state.accounts.get(e.id);
    if (old) {
      return (
        firstFailure([
          [!sameFlags(e.flags, old.flags), 'exists_with_different_flags'],
          [e.userData !== old.userData, 'exists_with_different_user_data'],
          [e.ledger !== old.ledger, 'exists_with_different_ledger'],
          [e.code !== old.code, 'exists_with_different_code'],
        ]) ?? 'exists'
      );
    }
    const bad = firstFailure([
      [e.flags.includes('debits_must_not_exceed_credits') && e.flags.includes('credits_must_not_exceed_debits'), 'flags_are_mutually_exclusive'],
      [e.ledger === 0, 'ledger_must_not_be_zero'],
      [e.code === 0, 'code_must_not_be_zero'],
    ]);
    if (bad) return bad;
    this.stamp();
    this.state.accounts.set(e.id, { ...e, flags: [...e.flags], dp: 0n, dpo: 0n, cp: 0n, cpo: 0n });
    return 'ok';
  }

  private createTransfer(e: ModelTransferEvent): string {
    const old = this.state.transfers.get(e.id);
    if (old) return this.replay(e, old);
    if (this.failed.has(e.id)) return 'id_already_failed';
    if (e.flags.includes('post_pending_transfer') || e.flags.includes('void_pending_transfer')) return this.resolve(e);
    return this.single(e);
  }

  private replay(e: ModelTransferEvent, old: ModelTransfer): string {
    const second = old.pendingId !== '';
    const p = second ? this.state.transfers.get(old.pendingId) : undefined;
    const given = <V>(v: V | null, zero: V): V | null => (second && (v === null || v === zero) ? null : v);
    const amountDiffers = (): boolean => {
      if (old.flags.includes('balancing_debit') || old.flags.includes('balancing_credit')) return (e.amount ?? 0n) < old.amount;
      if (old.flags.includes('void_pending_transfer')) return e.amount !== null && e.amount !== 0n && e.amount !== old.amount;
      if (old.flags.includes('post_pending_transfer') && e.amount === null) return old.amount !== p!.amount;
      return (e.amount ?? 0n) !== old.amount;
    };
    const dr = given(e.dr, '');
    const cr = given(e.cr, '');
    const ledger = given(e.ledger, 0);
    const code = given(e.code, 0);
    return (
      firstFailure([
        [!sameFlags(e.flags, old.flags), 'exists_with_different_flags'],
        [(e.pendingId ?? '') !== old.pendingId, 'exists_with_different_pending_id'],
        [e.timeout !== old.timeout, 'exists_with_different_timeout'],
        [second ? dr !== null && dr !== old.dr : (e.dr ?? '') !== old.dr, 'exists_with_different_debit_account_id'],
        [second ? cr !== null && cr !== old.cr : (e.cr ?? '') !== old.cr, 'exists_with_different_credit_account_id'],
        [amountDiffers, 'exists_with_different_amount'],
        [(e.userData ?? (second ? p!.userData : '')) !== old.userData, 'exists_with_different_user_data'],
        [second ? ledger !== null && ledger !== old.ledger : e.ledger !== old.ledger, 'exists_with_different_ledger'],
        [second ? code !== null && code !== old.code : e.code !== old.code, 'exists_with_different_code'],
      ]) ?? 'exists'
    );
  }

  private single(e: ModelTransferEvent): string {
    const f = (name: string): boolean => e.flags.includes(name);
    const isPending = f('pending');
    const balancing = f('balancing_debit') || f('balancing_credit');
    const dr = e.dr ? this.state.accounts.get(e.dr) : undefined;
    const cr = e.cr ? this.state.accounts.get(e.cr) : undefined;
    const early = firstFailure([
      [!e.dr, 'debit_account_id_must_not_be_zero'],
      [!e.cr, 'credit_account_id_must_not_be_zero'],
      [e.dr === e.cr, 'accounts_must_be_different'],
      [!!e.pendingId, 'pending_id_must_be_zero'],
      [!isPending && e.timeout !== 0, 'timeout_reserved_for_pending_transfer'],
      [!isPending && (f('closing_debit') || f('closing_credit')), 'closing_transfer_must_be_pending'],
      [e.ledger === 0, 'ledger_must_not_be_zero'],
      [e.code === 0, 'code_must_not_be_zero'],
      [!balancing && (e.amount ?? 0n) === 0n, 'amount_must_not_be_zero'],
      [!dr, 'debit_account_not_found'],
      [!cr, 'credit_account_not_found'],
      [() => dr!.ledger !== cr!.ledger, 'accounts_must_have_the_same_ledger'],
      [() => e.ledger !== dr!.ledger, 'transfer_must_have_the_same_ledger_as_accounts'],
      [() => dr!.flags.includes('closed'), 'debit_account_already_closed'],
      [() => cr!.flags.includes('closed'), 'credit_account_already_closed'],
    ]);
    if (early || !dr || !cr) return early ?? 'unreachable';
    let amount = e.amount ?? 0n;
    if (f('balancing_debit')) amount = bigMin(amount, bigMax(0n, dr.cpo - dr.dpo - dr.dp));
    if (f('balancing_credit')) amount = bigMin(amount, bigMax(0n, cr.dpo - cr.cpo - cr.cp));
    const ts = this.now > this.last ? this.now : this.last + 1n;
    const expiresAt = isPending && e.timeout > 0 ? ts + BigInt(e.timeout) * NS : 0n;
    const late = firstFailure([
      [isPending && dr.dp + amount > MAX, 'overflows_debits_pending'],
      [isPending && cr.cp + amount > MAX, 'overflows_credits_pending'],
      [dr.dpo + amount > MAX, 'overflows_debits_posted'],
      [cr.cpo + amount > MAX, 'overflows_credits_posted'],
      [dr.dp + dr.dpo + amount > MAX, 'overflows_debits'],
      [cr.cp + cr.cpo + amount > MAX, 'overflows_credits'],
      [expiresAt > MAX, 'overflows_timeout'],
      [dr.flags.includes('debits_must_not_exceed_credits') && dr.dp + dr.dpo + amount > dr.cpo, 'exceeds_credits'],
      [cr.flags.includes('credits_must_not_exceed_debits') && cr.cp + cr.cpo + amount > cr.dpo, 'exceeds_debits'],
    ]);
    if (late) return late;
    this.stamp();
    const t: ModelTransfer = {
      id: e.id,
      dr: dr.id,
      cr: cr.id,
      amount,
      pendingId: '',
      timeout: e.timeout,
      ledger: e.ledger,
      code: e.code,
      flags: [...e.flags],
      userData: e.userData ?? '',
      expiresAt,
    };
    this.state.transfers.set(t.id, t);
    if (isPending) {
      dr.dp += amount;
      cr.cp += amount;
      this.state.status.set(t.id, 'pending');
      if (f('closing_debit')) dr.flags.push('closed');
      if (f('closing_credit')) cr.flags.push('closed');
    } else {
      dr.dpo += amount;
      cr.cpo += amount;
    }
    return 'ok';
  }

  private resolve(e: ModelTransferEvent): string {
    const f = (name: string): boolean => e.flags.includes(name);
    const post = f('post_pending_transfer');
    const p = e.pendingId ? this.state.transfers.get(e.pendingId) : undefined;
    const amount = post ? (e.amount ?? p?.amount ?? 0n) : e.amount || (p?.amount ?? 0n);
    const status = p ? this.state.status.get(p.id) : undefined;
    const ts = this.now > this.last ? this.now : this.last + 1n;
    const dr = p ? this.state.accounts.get(p.dr)! : undefined;
    const cr = p ? this.state.accounts.get(p.cr)! : undefined;
    const bad = firstFailure([
      [post && f('void_pending_transfer'), 'flags_are_mutually_exclusive'],
      [['pending', 'balancing_debit', 'balancing_credit', 'closing_debit', 'closing_credit'].some(f), 'flags_are_mutually_exclusive'],
      [!e.pendingId, 'pending_id_must_not_be_zero'],
      [e.pendingId === e.id, 'pending_id_must_be_different'],
      [e.timeout !== 0, 'timeout_reserved_for_pending_transfer'],
      [!p, 'pending_transfer_not_found'],
      [() => !p!.flags.includes('pending'), 'pending_transfer_not_pending'],
      [() => !!e.dr && e.dr !== p!.dr, 'pending_transfer_has_different_debit_account_id'],
      [() => !!e.cr && e.cr !== p!.cr, 'pending_transfer_has_different_credit_account_id'],
      [() => e.ledger !== 0 && e.ledger !== p!.ledger, 'pending_transfer_has_different_ledger'],
      [() => e.code !== 0 && e.code !== p!.code, 'pending_transfer_has_different_code'],
      [post && e.amount === 0n, 'amount_must_not_be_zero'],
      [() => amount > p!.amount, 'exceeds_pending_transfer_amount'],
      [() => !post && amount < p!.amount, 'pending_transfer_has_different_amount'],
      [status === 'posted', 'pending_transfer_already_posted'],
      [status === 'voided', 'pending_transfer_already_voided'],
      [status === 'expired', 'pending_transfer_expired'],
      [() => p!.expiresAt !== 0n && p!.expiresAt <= ts, 'pending_transfer_expired'],
      [() => post && dr!.flags.includes('closed'), 'debit_account_already_closed'],
      [() => post && cr!.flags.includes('closed'), 'credit_account_already_closed'],
    ]);
    if (bad || !p) return bad ?? 'unreachable';
    this.stamp();
    this.state.transfers.set(e.id, {
      id: e.id,
      dr: p.dr,
      cr: p.cr,
      amount,
      pendingId: p.id,
      timeout: 0,
      ledger: p.ledger,
      code: p.code,
      flags: [...e.flags],
      userData: e.userData ?? p.userData,
      expiresAt: 0n,
    });
    this.release(p, post ? amount : 0n, post ? 'posted' : 'voided');
    return 'ok';
  }

  private release(p: ModelTransfer, posted: bigint, status: Status): void {
    const dr = this.state.accounts.get(p.dr)!;
    const cr = this.state.accounts.get(p.cr)!;
    dr.dp -= p.amount;
    cr.cp -= p.amount;
    dr.dpo += posted;
    cr.cpo += posted;
    if (status !== 'posted' && p.flags.includes('closing_debit')) dr.flags = dr.flags.filter((x) => x !== 'closed');
    if (status !== 'posted' && p.flags.includes('closing_credit')) cr.flags = cr.flags.filter((x) => x !== 'closed');
    this.state.status.set(p.id, status);
  }
}

function bigMin(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function bigMax(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
