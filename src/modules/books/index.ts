// The books: the floor every money module stands on.
export * from './chart.ts';
export { PLATFORM_CURRENCY } from './platform-currency.ts';
export { type LedgerVerdict, ledgerVerdict, type Resumer, type Step, StepRunner, type TransferOutcome } from './step-runner.ts';
export { bankAccounts, platformAccounts, SystemAccounts } from './system-accounts.ts';
