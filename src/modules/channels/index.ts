// The channels module's public face: the bank client, channel routing and the statement format.
// The bank simulator is a separate program: sim/bank (formica bank-sim).
export * from './bank-client.ts';
export { channelSuccessRate } from './channel-metrics.ts';
export * from './routing.ts';
export * from './statement-csv.ts';
