// The identity simulator's public face.
export type { Person, Verdict } from './register.ts';
export type { IdentitySimApp, IdentitySimServerOptions, RunningIdentitySim } from './server.ts';
export { buildIdentitySimApp, startIdentitySim } from './server.ts';
export { DEMO_PEOPLE, IdentitySimulator } from './simulator.ts';
