// The HTTP shell the biller and identity simulators share: Fastify with zod validation, and bad
// requests answered 400 `invalid_request` with the validator's message (the bank has its own errors).
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';

export function simulatorApp(logger: boolean | undefined) {
  // Closing drops every connection, busy or not: a simulator stops at once, whatever its clients keep open.
  const app = Fastify({ logger: logger ?? false, forceCloseConnections: true }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    return reply.status(status < 500 ? 400 : 500).send({ code: status < 500 ? 'invalid_request' : 'internal', message: error.message });
  });
  return app;
}
