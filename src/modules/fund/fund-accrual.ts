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
export const ACCRUAL_BATCH = 2_000;

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
  cursor: string;
}

interface Payout {
  readonly userId: string;
  readonly paidMinor: bigint;
}

async function incomeRow(tx: SqlExecutor, fundId: string, date: string): Promise<IncomeRow | undefined> {
  return tx.get<IncomeRow>('SELECT * FROM fund_incomes WHERE fund_id = ? AND date = ?', [fundId, date]);
}

/** Adds to each holder's earning shares the movements effective by `date` not folded in yet. */
async function foldMoves(tx: SqlExecutor, fundId: string, date: string): Promise<void> {
  const deltas = await tx.all<{ user_id: string; delta: bigint }>(
    'SELECT user_id, SUM(delta_minor) AS delta FROM fund_moves WHERE fund_id = ? AND folded = 0 AND effective_date <= ? GROUP BY user_id',
    [fundId, date],
  );
  for (const d of deltas) {
    await tx.run('UPDATE fund_holdings SET earning_minor = earning_minor + ? WHERE fund_id = ? AND user_id = ?', [BigInt(d.delta), fundId, d.user_id]);
  }
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

/** Step 2, repeated: pays the next batch of holders; answers false once every holder is paid. */
export function payBatchStep(fundId: string, date: string, batch = ACCRUAL_BATCH): Step<Payout[] | null, boolean> {
  return {
    name: 'fund.accrual.pay',
    maxEvents: batch,
    async claim(tx) {
      const income = await incomeRow(tx, fundId, date);
      if (income?.status !== 'paying') return null;
      const holders = await tx.all<{ user_id: string; earning_minor: bigint; carry_e8: bigint }>(
        'SELECT user_id, earning_minor, carry_e8 FROM fund_holdings WHERE fund_id = ? AND user_id > ? AND earning_minor > 0 ORDER BY user_id LIMIT ?',
        [fundId, income.cursor, batch],
      );
      if (holders.length === 0) {
        await tx.run("UPDATE fund_incomes SET status = 'done' WHERE fund_id = ? AND date = ?", [fundId, date]);
        await tx.run('UPDATE fund_funds SET last_accrued_date = ? WHERE fund_id = ?', [date, fundId]);
        return null;
      }
      const payouts: Payout[] = [];
      for (const h of holders) payouts.push(await payHolder(tx, fundId, date, income.r_e4, h));
      const paid = payouts.reduce((sum, p) => sum + p.paidMinor, 0n);
      await tx.run('UPDATE fund_incomes SET cursor = ?, paid_minor = paid_minor + ? WHERE fund_id = ? AND date = ?', [
        holders[holders.length - 1].user_id,
        paid,
        fundId,
        date,
      ]);
      return payouts;
    },
    plan: (payouts): TransferEvent[] => (payouts ?? []).filter((p) => p.paidMinor > 0n).map((p) => incomePayout(fundId, date, p.userId, p.paidMinor)),
    async record(_tx, payouts, outcomes) {
      requireApplied('fund.accrual.pay', outcomes);
      return payouts !== null;
    },
  };
}

/** One holder's income for the day, reinvested: it earns from tomorrow, so it joins the earning shares now. */
async function payHolder(
  tx: SqlExecutor,
  fundId: string,
  date: string,
  rE4: bigint,
  h: { user_id: string; earning_minor: bigint; carry_e8: bigint },
): Promise<Payout> {
  const day = accrue(BigInt(h.earning_minor), rE4, BigInt(h.carry_e8));
  await tx.run(
    `UPDATE fund_holdings SET carry_e8 = ?, earning_minor = earning_minor + ?, total_income_minor = total_income_minor + ?,
       last_income_minor = ?, last_income_date = ? WHERE fund_id = ? AND user_id = ?`,
    [day.carryE8, day.paidMinor, day.paidMinor, day.paidMinor, date, fundId, h.user_id],
  );
  return { userId: h.user_id, paidMinor: day.paidMinor };
}
