// The ledger API's wire format: flags by name, amounts and timestamps as decimal strings,
// ids as client-chosen strings. One schema validates requests and documents them in OpenAPI.
import { z } from 'zod';
import {
  type Account,
  ACCOUNT_RESULTS,
  type AccountEvent,
  AccountFlag,
  bitsToFlags,
  flagsToBits,
  TRANSFER_RESULTS,
  type Transfer,
  type TransferEvent,
  TransferFlag,
} from '../../ledger/index.ts';
import { MAX_BATCH_EVENTS } from '../../ledger/types.ts';
import { MAX_AMOUNT_MINOR } from '../../money/amount.ts';

export const LedgerId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -')
  .meta({ example: 'acct_01' });
const UserData = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{0,64}$/, 'must be at most 64 characters of A-Z, a-z, 0-9, _ . : -')
  .meta({ description: 'a reference to the owner or business object' });
const Ledger = z.number().int().min(0).max(4_294_967_295).meta({ description: 'ISO 4217 numeric code by convention (156 = CNY)' });
const Code = z.number().int().min(0).max(65_535);
const Amount = z
  .string()
  .regex(/^\d{1,19}$/, 'must be a string of digits in minor units')
  // zod 4 runs refinements even after the regex failed, so the bound checks the shape first.
  .refine((s) => !/^\d+$/.test(s) || BigInt(s) <= MAX_AMOUNT_MINOR, 'is larger than the largest amount a balance can hold')
  .meta({ example: '1250', description: 'integer minor units as a string' });
const accountFlagNames = Object.keys(AccountFlag) as [string, ...string[]];
const transferFlagNames = Object.keys(TransferFlag) as [string, ...string[]];

export const AccountInput = z.strictObject({
  id: LedgerId,
  ledger: Ledger,
  code: Code,
  flags: z.array(z.enum(accountFlagNames)).max(8).default([]),
  user_data: UserData.optional(),
});

export const TransferInput = z.strictObject({
  id: LedgerId,
  debit_account_id: LedgerId.optional(),
  credit_account_id: LedgerId.optional(),
  amount: Amount.optional(),
  ledger: Ledger.optional(),
  code: Code.optional(),
  flags: z.array(z.enum(transferFlagNames)).max(8).default([]),
  pending_id: LedgerId.optional(),
  timeout: z.number().int().min(0).max(4_294_967_295).optional().meta({ description: 'seconds (pending only)' }),
  user_data: UserData.optional(),
});

export const CreateAccountsBody = z.strictObject({ accounts: z.array(AccountInput).min(1).max(MAX_BATCH_EVENTS) });
export const CreateTransfersBody = z.strictObject({ transfers: z.array(TransferInput).min(1).max(MAX_BATCH_EVENTS) });

export const AccountResults = z.object({
  results: z.array(z.object({ id: z.string(), result: z.enum(ACCOUNT_RESULTS) })),
});
export const TransferResults = z.object({
  results: z.array(z.object({ id: z.string(), result: z.enum(TRANSFER_RESULTS), timestamp: z.string().nullable() })),
});

export const AccountOutput = z.object({
  id: z.string(),
  ledger: z.number(),
  code: z.number(),
  flags: z.array(z.string()),
  user_data: z.string(),
  debits_pending: z.string(),
  debits_posted: z.string(),
  credits_pending: z.string(),
  credits_posted: z.string(),
  timestamp: z.string(),
});

export const TransferOutput = z.object({
  id: z.string(),
  debit_account_id: z.string(),
  credit_account_id: z.string(),
  amount: z.string(),
  pending_id: z.string().nullable(),
  timeout: z.number(),
  ledger: z.number(),
  code: z.number(),
  flags: z.array(z.string()),
  user_data: z.string(),
  timestamp: z.string(),
});

export const TransferPageOutput = z.object({ transfers: z.array(TransferOutput), next: z.string().nullable() });

export const AccountTransfersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z
    .string()
    .regex(/^\d{1,19}$/, 'must be a timestamp from a previous page')
    .optional(),
  until: z
    .string()
    .regex(/^\d{1,19}$/, 'must be a ledger timestamp (nanoseconds)')
    .optional(),
  code: z.coerce.number().int().min(1).max(65_535).optional(),
  user_data: UserData.optional(),
});

export function toAccountEvent(a: z.infer<typeof AccountInput>): AccountEvent {
  return { id: a.id, ledger: a.ledger, code: a.code, flags: bits(AccountFlag, a.flags), userData: a.user_data ?? '' };
}

export function toTransferEvent(t: z.infer<typeof TransferInput>): TransferEvent {
  return {
    id: t.id,
    debitAccountId: t.debit_account_id ?? null,
    creditAccountId: t.credit_account_id ?? null,
    amount: t.amount === undefined ? null : BigInt(t.amount),
    pendingId: t.pending_id ?? null,
    timeout: t.timeout ?? 0,
    ledger: t.ledger ?? 0,
    code: t.code ?? 0,
    flags: bits(TransferFlag, t.flags),
    userData: t.user_data ?? null,
  };
}

function bits(table: Readonly<Record<string, number>>, names: readonly string[]): number {
  const result = flagsToBits(table, names);
  // The schema's enum already refused unknown names.
  if (typeof result !== 'number') throw new Error(`unknown flag ${result.unknown}`);
  return result;
}

export function accountToWire(a: Account): z.infer<typeof AccountOutput> {
  return {
    id: a.id,
    ledger: a.ledger,
    code: a.code,
    flags: bitsToFlags(AccountFlag, a.flags),
    user_data: a.userData,
    debits_pending: a.debitsPending.toString(),
    debits_posted: a.debitsPosted.toString(),
    credits_pending: a.creditsPending.toString(),
    credits_posted: a.creditsPosted.toString(),
    timestamp: a.timestamp.toString(),
  };
}

export function transferToWire(t: Transfer): z.infer<typeof TransferOutput> {
  return {
    id: t.id,
    debit_account_id: t.debitAccountId,
    credit_account_id: t.creditAccountId,
    amount: t.amount.toString(),
    pending_id: t.pendingId || null,
    timeout: t.timeout,
    ledger: t.ledger,
    code: t.code,
    flags: bitsToFlags(TransferFlag, t.flags),
    user_data: t.userData,
    timestamp: t.timestamp.toString(),
  };
}
