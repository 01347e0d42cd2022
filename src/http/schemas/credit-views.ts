// Wire shapes of the credit pages' read-only lists: a borrower's loans with what each owes now, and a
// buyer's pay-later statements with what is used of the line. Amounts are decimal strings.
import { z } from 'zod';
import { LoanOutput, StatementOutput } from './credit.ts';

export const LoanListOutput = z.object({
  loans: z.array(
    LoanOutput.extend({
      product: z.enum(['short', 'instalment']),
      repayment: z.enum(['single', 'equal_principal', 'annuity']),
      principal: z.string(),
      start_date: z.string(),
      owed: z.string().meta({ description: 'principal outstanding plus interest and penalty booked: what repays the loan today' }),
    }),
  ),
});

export const StatementListOutput = z.object({
  used: z.string().meta({ description: 'principal drawn on the line and not yet repaid' }),
  statements: z.array(StatementOutput.extend({ minimum_left: z.string().meta({ description: 'what is left to pay of the minimum (0 with instalments)' }) })),
});
