// The channels module's public face: the bank client, channel routing and the statement format.
// The bank simulator is exported separately from ./bank-sim/index.ts.
export * from './bank-client.ts';
export { channelSuccessRate } from './channel-metrics.ts';
export * from './routing.ts';
export * from './statement-csv.ts';
