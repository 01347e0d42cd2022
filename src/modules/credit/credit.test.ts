// Credit on the books, on real SQLite (and PostgreSQL when DATABASE_URL is set): a loan decided and
// disbursed in one call, interest by the day on the injected clock, the due-date collection from the
// wallet, days past due through the buckets with their provisions, the repayment order, a write-off,
// the portfolio, and the ledger audit clean after each scenario.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditAccountId } from '../books/chart.ts';
import { BUCKETS, bucketOf } from './loans/loan-math.ts';
import { isLive, type Loan, type LoanRow, loanFromRow } from './loans/loan-row.ts';
import { CreditError } from './credit-errors.ts';
import { type CreditFixture, creditFixture, storesUnderTest } from './credit-test-support.ts';

describe.each(storesUnderTest)('credit service (%s)', (store) => {
  let f: CreditFixture;
  let app: CreditFixture['app'];

  beforeAll(async () => {
    f = await creditFixture(store, Date.UTC(2026, 0, 1, 2)); // 10:00 in Shanghai, 2026-01-01
    app = f.app;
  });
  afterAll(async () => {
    await f.close();
  });

  const borrower = (fen: bigint) => f.borrower(fen);
  const balance = (id: string) => f.balance(id);
  const wallet = (userId: string) => f.wallet(userId);
  const passDays = (days: number) => f.passDays(days);
  async function audit() {
    expect(await f.auditProblems()).toEqual([]);
  }

  it('scores with explained factors and refuses below 550, recording the decision', async () => {
    const poor = await borrower(0n);
    const score = await app.credit.score(poor);
    expect(score.band).toBe('none');
    expect(score.modelVersion).toBe(app.credit.models.buyer.version);
    expect(score.explained).toHaveLength(3);
    expect(score.explained[0].zh).toMatch(/评分/);
    await expect(app.credit.apply(poor, { product: 'short', amount: 10_000n, days: 10, requestId: 'r1' })).rejects.toMatchObject({ code: 'no_credit' });
    const decision = await app.sql.get<{ model_version: string; inputs: string; outcome: string }>(
      'SELECT model_version, inputs, outcome FROM credit_decisions WHERE user_id = ?',
      [poor],
    );
    expect(decision).toMatchObject({ model_version: score.modelVersion, outcome: 'no_credit' });
    expect(JSON.parse(decision!.inputs)).toEqual(score.inputs);
    const { decision_id: decisionId } = (await app.sql.get<{ decision_id: string }>('SELECT decision_id FROM credit_decisions WHERE user_id = ?', [poor]))!;
    expect(await app.credit.reproduceDecision(decisionId)).toEqual({ recorded: score.score, reproduced: score.score });
  });

  it('refuses a bad term and an amount beyond the line', async () => {
    const user = await borrower(500_000n);
    await expect(app.credit.apply(user, { product: 'short', amount: 10_000n, days: 46, requestId: 't1' })).rejects.toBeInstanceOf(CreditError);
    await expect(app.credit.apply(user, { product: 'instalment', amount: 10_000n, months: 5, requestId: 't2' })).rejects.toMatchObject({
      code: 'invalid_term',
    });
    const line = await app.credit.line(user);
    await expect(app.credit.apply(user, { product: 'short', amount: line.limit + 1n, days: 10, requestId: 't3' })).rejects.toMatchObject({
      code: 'exceeds_line',
    });
  });

  it('lends 1,000.00 for 30 days, charges 12.00 and collects it from the wallet on the due date', async () => {
    const user = await borrower(500_000n);
    const loan = await app.credit.apply(user, { product: 'short', amount: 100_000n, days: 30, requestId: 's1' });
    expect(loan.state.schedule).toEqual([{ dueDate: '2026-01-31', principal: 100_000n, interest: 1_200n }]);
    expect(await app.credit.apply(user, { product: 'short', amount: 100_000n, days: 30, requestId: 's1' })).toMatchObject({ loanId: loan.loanId });
    await expect(app.credit.apply(user, { product: 'short', amount: 100_001n, days: 30, requestId: 's1' })).rejects.toMatchObject({
      code: 'request_id_reused',
    });
    expect(await wallet(user)).toBe(600_000n);
    await passDays(29);
    expect((await app.credit.loan(user, loan.loanId)).state.accruedInterest).toBe(1_160n);
    await passDays(1);
    const repaid = await app.credit.loan(user, loan.loanId);
    expect(repaid.state.status).toBe('repaid');
    expect(repaid.repaidPrincipal).toBe(100_000n);
    expect(await wallet(user)).toBe(600_000n - 101_200n);
    expect(await balance(creditAccountId('receivable', 'CNY'))).toBe(0n);
    await audit();
  });

  it('moves an unpaid loan through the buckets day by day to non-performing, provisioning each', async () => {
    const user = await borrower(500_000n);
    const loan = await app.credit.apply(user, { product: 'short', amount: 200_000n, days: 5, requestId: 'npl-1' });
    await app.wallet.adjust({ userId: user, amountMinor: 700_000n, currency: 'CNY', direction: 'debit', reason: 'spent', requestId: `spend-npl-${user}` });
    await passDays(5);
    const changes: [number, string, bigint][] = [];
    for (let day = 1; day <= 95; day++) {
      await passDays(1);
      const s = (await app.credit.loan(user, loan.loanId)).state;
      expect(s.daysPastDue).toBe(day);
      if (changes.at(-1)?.[1] !== bucketOf(day)) changes.push([day, bucketOf(day), s.provision]);
    }
    expect(changes).toEqual([
      [1, '1-30', 10_000n],
      [31, '31-60', 50_000n],
      [61, '61-90', 100_000n],
      [91, '90+', 200_000n],
    ]);
    const portfolio = await app.credit.portfolio();
    expect(portfolio.buckets['90+']).toBe(200_000n);
    expect(portfolio.nplPpm).toBe((portfolio.buckets['90+'] * 1_000_000n) / portfolio.outstanding);
    expect(portfolio.nplPpm).toBeGreaterThan(0n);
    expect(Object.values(portfolio.provisionsByBucket).reduce((a, b) => a + b, 0n)).toBe(portfolio.provisions);
    expect(portfolio.provisionsByBucket['90+']).toBe(200_000n);
    expect(-(await balance(creditAccountId('provision_allowance', 'CNY')))).toBe(portfolio.provisions);
    await audit();
  });

  it('goes past due when the wallet is empty: buckets, penalty, provisions; repays in order; writes off', async () => {
    const user = await borrower(500_000n);
    const loan = await app.credit.apply(user, { product: 'instalment', amount: 300_000n, months: 3, repayment: 'equal_principal', requestId: 'i1' });
    // Spend the wallet so the first instalment cannot be collected.
    await app.wallet.adjust({ userId: user, amountMinor: 800_000n, currency: 'CNY', direction: 'debit', reason: 'spent', requestId: `spend-${user}` });
    const firstDue = loan.state.schedule[0].dueDate;
    while (f.today() < firstDue) await passDays(1);
    let state = (await app.credit.loan(user, loan.loanId)).state;
    expect(state.overduePrincipal).toBe(100_000n);
    expect(state.overdueInterest).toBe(loan.state.schedule[0].interest);
    expect(state.daysPastDue).toBe(0);
    await passDays(1);
    state = (await app.credit.loan(user, loan.loanId)).state;
    expect(state).toMatchObject({ status: 'overdue', daysPastDue: 1, provision: 15_000n });
    expect(state.penaltyInterest).toBe(52n); // 100,000 x 0.0525% = 52.5 fen: 52 booked, the half carried
    await passDays(30);
    state = (await app.credit.loan(user, loan.loanId)).state;
    expect(state.daysPastDue).toBe(31);
    expect(state.provision).toBe(75_000n); // 25% of 300,000: the 31-60 bucket

    const portfolio = await app.credit.portfolio();
    expect(portfolio.buckets['31-60']).toBeGreaterThanOrEqual(300_000n);

    // A partial repayment goes to penalty, then overdue interest, then overdue principal.
    const owedPenalty = state.penaltyInterest;
    await app.wallet.adjust({ userId: user, amountMinor: 50_000n, currency: 'CNY', direction: 'credit', reason: 'top up', requestId: `top-${user}` });
    const end = await app.credit.repay(user, loan.loanId, 50_000n, 'p1');
    expect(end.applied.penaltyInterest).toBe(owedPenalty);
    expect(end.applied.overdueInterest).toBe(state.overdueInterest);
    expect(end.applied.overduePrincipal).toBe(50_000n - owedPenalty - state.overdueInterest);
    expect(end.applied.interest + end.applied.principal).toBe(0n);
    expect(await app.credit.repay(user, loan.loanId, 50_000n, 'p1')).toEqual(end);
    await expect(app.credit.repay(user, loan.loanId, 10_000_000n, 'p2')).rejects.toMatchObject({ code: 'repayment_exceeds_owed' });
    await expect(app.credit.repay(user, loan.loanId, 1_000n, 'p3')).rejects.toMatchObject({ code: 'insufficient_funds' });

    expect(await app.credit.writeOff(loan.loanId)).toBe(true);
    const closed = await app.credit.loan(user, loan.loanId);
    expect(closed.state.status).toBe('written_off');
    expect(closed.writtenOffPrincipal).toBe(300_000n - end.applied.overduePrincipal);
    expect((await app.credit.portfolio()).writtenOff).toBe(closed.writtenOffPrincipal);
    await audit();
  });

  it("keeps the day's history row equal to the figures folded from every loan", async () => {
    await passDays(1);
    const [day] = await app.credit.portfolioHistory(1);
    const loans = (await app.sql.all<LoanRow>('SELECT * FROM credit_loans')).map(loanFromRow);
    expect(loans.map((l) => l.state.status)).toEqual(expect.arrayContaining(['overdue', 'repaid', 'written_off']));
    const sum = (pick: (l: Loan) => bigint, of = loans) => of.reduce((s, l) => s + pick(l), 0n);
    const live = loans.filter((l) => isLive(l.state.status));
    const buckets = Object.fromEntries(
      BUCKETS.map((b) => [
        b,
        sum(
          (l) => l.state.outstandingPrincipal,
          live.filter((l) => bucketOf(l.state.daysPastDue) === b),
        ),
      ]),
    );
    const outstanding = sum((l) => l.state.outstandingPrincipal);
    expect(day).toEqual({
      day: f.today(),
      outstanding,
      nplPpm: (buckets['90+'] * 1_000_000n) / outstanding,
      provisions: sum((l) => l.state.provision),
      buckets,
      writtenOff: sum((l) => l.writtenOffPrincipal),
    });
    expect(await app.credit.portfolio()).toMatchObject({ disbursed: sum((l) => l.principal), repaid: sum((l) => l.repaidPrincipal) });
  });
});

describe.each(storesUnderTest)('the early-repayment fee policy, when set (%s)', (store) => {
  let f: CreditFixture;

  beforeAll(async () => {
    process.env.FORMICA_CREDIT_EARLY_REPAYMENT_FEE_BPS = '100'; // 1% of the principal repaid before it falls due
    try {
      f = await creditFixture(store, Date.UTC(2026, 0, 1, 2));
    } finally {
      delete process.env.FORMICA_CREDIT_EARLY_REPAYMENT_FEE_BPS;
    }
  });
  afterAll(async () => {
    await f.close();
  });

  it('quotes the fee first, charges it on top for early principal only, and never on the due-date collection', async () => {
    const user = await f.borrower(500_000n);
    const loan = await f.app.credit.apply(user, { product: 'instalment', amount: 300_000n, months: 3, requestId: 'fee-1' });
    await f.passDays(1);
    const income = -(await f.balance(creditAccountId('income', 'CNY')));
    const owedInterest = (await f.app.credit.loan(user, loan.loanId)).state.accruedInterest;
    const quote = await f.app.credit.repaymentQuote(user, loan.loanId, 100_000n);
    expect(quote.applied).toMatchObject({ interest: owedInterest, principal: 100_000n - owedInterest });
    expect(quote.fee).toBe((100_000n - owedInterest + 50n) / 100n);
    const walletBefore = await f.wallet(user);
    const end = await f.app.credit.repay(user, loan.loanId, 100_000n, 'early-1');
    expect(end).toMatchObject({ applied: quote.applied, fee: quote.fee });
    expect(await f.wallet(user)).toBe(walletBefore - 100_000n - quote.fee);
    expect(-(await f.balance(creditAccountId('income', 'CNY')))).toBe(income + quote.fee);
    expect(await f.app.credit.repay(user, loan.loanId, 100_000n, 'early-1')).toEqual(end);

    // The first due date collects what fell due from the wallet: exactly that, with no fee on top.
    const walletBeforeDue = await f.wallet(user);
    const dueDate = loan.state.schedule[0].dueDate;
    while (f.today() < dueDate) await f.passDays(1);
    expect((await f.app.credit.loan(user, loan.loanId)).state).toMatchObject({ status: 'active', overduePrincipal: 0n, daysPastDue: 0 });
    const collected = await f.app.sql.get<{ amount: bigint; fee: bigint }>('SELECT amount, fee FROM credit_repayments WHERE loan_id = ? AND request_id = ?', [
      loan.loanId,
      `auto-${dueDate}`,
    ]);
    expect(BigInt(collected!.amount)).toBeGreaterThan(0n);
    expect(BigInt(collected!.fee)).toBe(0n);
    expect(walletBeforeDue - (await f.wallet(user))).toBe(BigInt(collected!.amount));
    expect(await f.auditProblems()).toEqual([]);
  });

  it("repays only a merchant's loan from sales", async () => {
    const user = await f.borrower(500_000n);
    await expect(f.app.credit.apply(user, { product: 'short', amount: 10_000n, days: 10, requestId: 'share-1', salesSharePercent: 30 })).rejects.toMatchObject({
      code: 'not_a_merchant_loan',
    });
    const loan = await f.app.credit.apply(user, { product: 'short', amount: 10_000n, days: 10, requestId: 'share-2' });
    await expect(f.app.credit.salesShare.consent(user, loan.loanId, 30)).rejects.toMatchObject({ code: 'not_a_merchant_loan' });
    await expect(f.app.credit.salesShare.consent(user, loan.loanId, 30.5)).rejects.toMatchObject({ code: 'invalid_term' });
  });
});
