// The daily income run for one fund and one published date, as steps that each commit with their
// ledger batch, so a run stopped anywhere (even by SIGKILL) resumes where it stopped and pays every
// holder exactly once:
//   declare: fold in the share movements effective by that date, total the earning shares, and
//            book the fund's declared income (cut to the fen, the fund's fraction carried);
//   pay:     the next batch of holders after the cursor, each paid its income cut to the fen with
//            its own fraction carried, reinvested as shares from the fund's income account;
//   done:    when no holder is left after the cursor.
// A rerun of a finished date finds it 'done' and pays nothing.
import type { SqlExecutor } from '../../store/sql.ts';
import { requireApplied, type Step } from '../books/step-runner.ts';
import { accrue } from './fund-income.ts';
import { declarationChain, incomePayout } from './fund-ledger.ts';
import type { TransferEvent } from '../../ledger/index.ts';

/** Holders paid per step: one ledger batch of payouts and as many row updates, in one commit. */
export const ACCRUAL_BATCH = 8_000;

export interface IncomeRow extends Record<string, unknown> {
  fund_id: string;
  date: string;
  r_e4: bigint;
  status: 'published' | 'paying' | 'done';
  published_at: bigint;
  total_shares_minor: bigint;
  declared_minor: bigint;
  holders: bigint;
  paid_minor: bigint;
  paid_holders: bigint;
  cursor: string;
}

interface Payout {
  readonly userId: string;
  readonly paidMinor: bigint;
}

async function incomeRow(tx: SqlExecutor, fundId: string, date: string): Promise<IncomeRow | undefined> {
  return tx.get<IncomeRow>('SELECT * FROM fund_incomes WHERE fund_id = ? AND date = ?', [fundId, date]);
}

/** Adds to each holder's earning shares the movements effective by `date` not folded in yet, in one statement. */
async function foldMoves(tx: SqlExecutor, fundId: string, date: string): Promise<void> {
  await tx.run(
    `UPDATE fund_holdings AS h SET earning_minor = h.earning_minor + d.delta
     FROM (SELECT user_id, SUM(delta_minor) AS delta FROM fund_moves WHERE fund_id = ? AND folded = 0 AND effective_date <= ? GROUP BY user_id) AS d
     WHERE h.fund_id = ? AND h.user_id = d.user_id`,
    [fundId, date, fundId],
  );
  await tx.run('UPDATE fund_moves SET folded = 1 WHERE fund_id = ? AND folded = 0 AND effective_date <= ?', [fundId, date]);
}

/** Step 1: the day's shares and the fund's declared income, booked once. */
export function declareStep(fundId: string, date: string): Step<bigint | null, void> {
  return {
    name: 'fund.accrual.declare',
    maxEvents: 2,
    async claim(tx) {
      const income = await incomeRow(tx, fundId, date);
      if (income?.status !== 'published') return null;
      await foldMoves(tx, fundId, date);
      const shares = await tx.get<{ total: bigint | null; holders: bigint }>(
        'SELECT SUM(earning_minor) AS total, COUNT(*) AS holders FROM fund_holdings WHERE fund_id = ? AND earning_minor > 0',
        [fundId],
      );
      const total = BigInt(shares?.total ?? 0n);
      const fund = await tx.get<{ carry_e8: bigint }>('SELECT carry_e8 FROM fund_funds WHERE fund_id = ?', [fundId]);
      const declared = accrue(total, income.r_e4, BigInt(fund?.carry_e8 ?? 0n));
      await tx.run('UPDATE fund_funds SET carry_e8 = ? WHERE fund_id = ?', [declared.carryE8, fundId]);
      await tx.run("UPDATE fund_incomes SET status = 'paying', total_shares_minor = ?, declared_minor = ?, holders = ? WHERE fund_id = ? AND date = ?", [
        total,
        declared.paidMinor,
        BigInt(shares?.holders ?? 0n),
        fundId,
        date,
      ]);
      return declared.paidMinor;
    },
    plan: (declared) => (declared === null ? [] : declarationChain(fundId, date, declared)),
    async record(_tx, _declared, outcomes) {
      requireApplied('fund.accrual.declare', outcomes);
    },
  };
}

/** Step 2, repeated: pays the next batch of holders; answers how many (0 once every holder is paid). */
export function payBatchStep(fundId: string, date: string, batch = ACCRUAL_BATCH): Step<Payout[] | null, number> {
  return {
    name: 'fund.accrual.pay',
    maxEvents: batch,
    async claim(tx) {
      const income = await incomeRow(tx, fundId, date);
      if (income?.status !== 'paying') return null;
      const batchEnd = await tx.get<{ last: string | null }>(
        `SELECT MAX(user_id) AS last FROM
           (SELECT user_id FROM fund_holdings WHERE fund_id = ? AND user_id > ? AND earning_minor > 0 ORDER BY user_id LIMIT ?) AS batch`,
        [fundId, income.cursor, batch],
      );
      if (!batchEnd?.last) {
        await tx.run("UPDATE fund_incomes SET status = 'done' WHERE fund_id = ? AND date = ?", [fundId, date]);
        await tx.run('UPDATE fund_funds SET last_accrued_date = ? WHERE fund_id = ?', [date, fundId]);
        return null;
      }
      const paid = await payHolders(tx, fundId, date, income.r_e4, income.cursor, batchEnd.last);
      const total = paid.reduce((sum, p) => sum + p.paidMinor, 0n);
      await tx.run('UPDATE fund_incomes SET cursor = ?, paid_minor = paid_minor + ?, paid_holders = paid_holders + ? WHERE fund_id = ? AND date = ?', [
        batchEnd.last,
        total,
        paid.length,
        fundId,
        date,
      ]);
      return paid;
    },
    plan: (payouts): TransferEvent[] => (payouts ?? []).filter((p) => p.paidMinor > 0n).map((p) => incomePayout(fundId, date, p.userId, p.paidMinor)),
    async record(_tx, payouts, outcomes) {
      requireApplied('fund.accrual.pay', outcomes);
      return payouts === null ? 0 : payouts.length;
    },
  };
}

// A holder's day in SQL, exactly as `accrue` in fund-income.ts: s x R + carry, cut to the fen,
// the rest carried. With s = q x 10^8 + m it is q x R fen plus (m x R + carry) / 10^8, so no
// intermediate value exceeds 10^18 plus the fen paid: BIGINT never overflows (the fund-accrual
// tests hold it to the exact rational income).
const CUT = '((earning_minor % 100000000) * ? + carry_e8)';
const PAID = `((earning_minor / 100000000) * ? + ${CUT} / 100000000)`;

/**
 * Pays every earning holder after `cursor` up to `last`, in one statement: each one's income for
 * the day, its carried fraction, its earning shares (the income earns from tomorrow, so it joins
 * them now) and its income totals. Answers each holder's payout.
 */
async function payHolders(tx: SqlExecutor, fundId: string, date: string, rE4: bigint, cursor: string, last: string): Promise<Payout[]> {
  const rows = await tx.all<{ user_id: string; last_income_minor: bigint }>(
    `UPDATE fund_holdings SET carry_e8 = ${CUT} % 100000000, earning_minor = earning_minor + ${PAID},
       total_income_minor = total_income_minor + ${PAID}, last_income_minor = ${PAID}, last_income_date = ?
     WHERE fund_id = ? AND user_id > ? AND user_id <= ? AND earning_minor > 0
     RETURNING user_id, last_income_minor`,
    [rE4, ...Array(3).fill([rE4, rE4]).flat(), date, fundId, cursor, last],
  );
  return rows.map((r) => ({ userId: r.user_id, paidMinor: BigInt(r.last_income_minor) }));
}
