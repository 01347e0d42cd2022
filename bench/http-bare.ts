// The HTTP baseline, run as its own process: a bare Fastify endpoint that validates Formica's
// single-transfer body with the same zod schema and type provider, touches no store, and answers
// a small JSON. Prints "listening on <url>" when ready.
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { CreateTransfersBody, TransferResults } from '../src/http/schemas/ledger.ts';

const server = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
server.setValidatorCompiler(validatorCompiler);
server.setSerializerCompiler(serializerCompiler);
server.post('/bare/transfers', { schema: { body: CreateTransfersBody, response: { 200: TransferResults } } }, async (request) => ({
  results: request.body.transfers.map((t) => ({ id: t.id, result: 'ok' as const, timestamp: null })),
}));
process.once('SIGTERM', () => {
  server.close().then(() => process.exit(0));
});
const address = await server.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening on ${address}`);
