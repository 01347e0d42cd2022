// The bank simulator as an HTTP server: build the app (for inject-based tests) or start it on a port.
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { Delays } from './delays.ts';
import { handleError } from './http-shape.ts';
import { readySimulator } from '../state-file.ts';
import { type Persistence, persistTo } from './persist.ts';
import { bankRoutes } from './routes-bank.ts';
import { simRoutes } from './routes-sim.ts';
import { BankSimulator, type SimulatorOptions } from './simulator.ts';

export interface BankSimulatorOptions extends SimulatorOptions {
  /** Keep state in `<dataDir>/bank-sim.json` across restarts; in memory only when absent. */
  readonly dataDir?: string;
  readonly logger?: boolean;
}

export interface BankSimulatorApp {
  readonly app: FastifyInstance;
  readonly simulator: BankSimulator;
  /** Releases held answers, writes pending state and closes the app. */
  close(): Promise<void>;
}

export interface RunningBankSimulator extends BankSimulatorApp {
  /** e.g. http://127.0.0.1:54321 */
  readonly url: string;
  readonly port: number;
}

export async function buildBankSimulatorApp(options: BankSimulatorOptions): Promise<BankSimulatorApp> {
  const simulator = new BankSimulator(options);
  const persistence: Persistence | undefined = options.dataDir ? persistTo(simulator, options.dataDir) : undefined;
  const delays = new Delays();
  // Card numbers arrive in bodies; the logger records only method, URL and status, never bodies.
  // Closing drops every connection, busy or not: a simulator stops at once (delays.ts), and a
  // client's kept-alive socket must not hold its close open.
  const app = Fastify({ logger: options.logger ?? false, forceCloseConnections: true });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  await app.register(bankRoutes(simulator, delays));
  await app.register(simRoutes(simulator));
  return readySimulator(app, simulator, delays, persistence);
}

export async function startBankSimulator(options: BankSimulatorOptions & { readonly port: number; readonly host?: string }): Promise<RunningBankSimulator> {
  const built = await buildBankSimulatorApp(options);
  const host = options.host ?? '127.0.0.1';
  await built.app.listen({ port: options.port, host });
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return { ...built, url: `http://${urlHost}:${port}`, port };
}
