// The `formica` command: thin commands over the same services the HTTP API uses.
import { Command } from 'commander';
import { registerAudit } from './commands/audit.ts';
import { registerBackup } from './commands/backup.ts';
import { registerBankSim } from './commands/bank-sim.ts';
import { registerBench } from './commands/bench.ts';
import { registerBillerSim } from './commands/biller-sim.ts';
import { registerCampaign } from './commands/campaign.ts';
import { registerCredit } from './commands/credit.ts';
import { registerIdentitySim } from './commands/identity-sim.ts';
import { registerFund } from './commands/fund.ts';
import { registerLedger } from './commands/ledger.ts';
import { registerLedgerCompact } from './commands/ledger-compact.ts';
import { registerReconcile } from './commands/reconcile.ts';
import { registerSandbox } from './commands/sandbox.ts';
import { registerServe } from './commands/serve.ts';
import { registerVerify } from './commands/verify.ts';

const program = new Command('formica').description('Formica: payments and inclusive finance over one double-entry ledger');
registerServe(program);
registerVerify(program);
registerLedger(program);
registerLedgerCompact(program);
registerBench(program);
registerBankSim(program);
registerBillerSim(program);
registerIdentitySim(program);
registerReconcile(program);
registerSandbox(program);
registerCredit(program);
registerCampaign(program);
registerFund(program);
registerAudit(program);
registerBackup(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`formica: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
