// Operator commands over the ledger: create and look up accounts and transfers. They run the
// same engine as the server against the same store, validated by the same schemas as the API.
import type { Command } from 'commander';
import type { z } from 'zod';
import { createFormica, type Formica } from '../../app.ts';
import { AccountInput, accountToWire, TransferInput, toAccountEvent, toTransferEvent, transferToWire } from '../../http/schemas/ledger.ts';
import { runtimeConfig } from '../config.ts';

const list = (value: string) => value.split(',').filter(Boolean);
const int = (value: string) => Number(value);

async function withFormica(dataDir: string | undefined, run: (app: Formica) => Promise<void>): Promise<void> {
  const config = runtimeConfig({ dataDir });
  const app = await createFormica({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, runJobs: false });
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`invalid ${issue.path.join('.') || 'input'}: ${issue.message}`);
}

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

export function registerLedger(program: Command): void {
  const accounts = program.command('accounts').description('ledger accounts');
  accounts
    .command('create')
    .requiredOption('--id <id>')
    .requiredOption('--ledger <n>', 'ledger number (ISO 4217 numeric, 156 = CNY)', int)
    .requiredOption('--code <n>', 'account type code', int)
    .option('--flags <names>', 'comma-separated flags', list, [])
    .option('--user-data <ref>')
    .option('--data-dir <dir>')
    .action(async (o) => {
      const event = toAccountEvent(parse(AccountInput, { id: o.id, ledger: o.ledger, code: o.code, flags: o.flags, user_data: o.userData }));
      await withFormica(o.dataDir, async (app) => print({ id: event.id, result: (await app.engine.createAccounts([event]))[0] }));
    });
  accounts
    .command('get <id>')
    .option('--data-dir <dir>')
    .action(async (id: string, o) => {
      await withFormica(o.dataDir, async (app) => {
        const account = await app.store.getAccount(id);
        if (!account) throw new Error(`no account '${id}'`);
        print(accountToWire(account));
      });
    });
  accounts
    .command('transfers <id>')
    .description("an account's transfers, oldest first")
    .option('--limit <n>', 'page size', int, 100)
    .option('--after <timestamp>', 'continue after this timestamp')
    .option('--data-dir <dir>')
    .action(async (id: string, o) => {
      await withFormica(o.dataDir, async (app) => {
        const page = await app.store.listAccountTransfers(id, { limit: o.limit, after: o.after ? BigInt(o.after) : undefined });
        print({ transfers: page.transfers.map(transferToWire), next: page.next?.toString() ?? null });
      });
    });

  const transfers = program.command('transfers').description('ledger transfers');
  transfers
    .command('create')
    .requiredOption('--id <id>')
    .option('--debit <account>')
    .option('--credit <account>')
    .option('--amount <minor>', 'amount in minor units')
    .option('--ledger <n>', 'ledger number', int)
    .option('--code <n>', 'transfer code', int)
    .option('--flags <names>', 'comma-separated flags', list, [])
    .option('--pending-id <id>')
    .option('--timeout <seconds>', 'pending timeout', int)
    .option('--user-data <ref>')
    .option('--data-dir <dir>')
    .action(async (o) => {
      const input = {
        id: o.id,
        debit_account_id: o.debit,
        credit_account_id: o.credit,
        amount: o.amount,
        ledger: o.ledger,
        code: o.code,
        flags: o.flags,
        pending_id: o.pendingId,
        timeout: o.timeout,
        user_data: o.userData,
      };
      const event = toTransferEvent(parse(TransferInput, JSON.parse(JSON.stringify(input))));
      await withFormica(o.dataDir, async (app) => {
        const [outcome] = await app.engine.submitTransfers([event]);
        print({ id: event.id, result: outcome.result, timestamp: outcome.timestamp?.toString() ?? null });
      });
    });
  transfers
    .command('get <id>')
    .option('--data-dir <dir>')
    .action(async (id: string, o) => {
      await withFormica(o.dataDir, async (app) => {
        const transfer = await app.store.getTransfer(id);
        if (!transfer) throw new Error(`no transfer '${id}'`);
        print(transferToWire(transfer));
      });
    });
}
