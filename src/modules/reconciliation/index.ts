// The reconciliation module: daily statements against channel operations, suspense, reserves check.
export * from './day.ts';
export * from './recon-errors.ts';
export * from './recon-types.ts';
export * from './reconciliation.ts';
export * from './reserves.ts';
export * from './summary-table.ts';
