export * from './flags.ts';
export * from './invariant.ts';
export * from './ledger.ts';
export * from './results.ts';
export * from './types.ts';
export type { BatchEffects, Snapshot } from './working-set.ts';
export * from './events.ts';
