// The cards module: bank card binding and card top-ups/withdrawals settled through the ledger.
export * from './card-payments.ts';
export * from './cards.ts';
