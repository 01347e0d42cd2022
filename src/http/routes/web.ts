// The web app (wallet, merchant console, operations dashboard) as static files under /app/: the
// files vite built into web/dist, and index.html for every other /app/ path (routes are client-side).
// Hashed assets are cached for good; index.html is always revalidated so a new build shows at once.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** The file under `root` a request path names, or undefined when it names none (or escapes root). */
function fileUnder(root: string, relative: string): string | undefined {
  const file = path.resolve(root, relative);
  if (!file.startsWith(root + path.sep)) return undefined;
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ? path.relative(root, file) : undefined;
}

export function webRoutes(root: string = WEB_DIST): FastifyPluginAsync {
  return async (server) => {
    await server.register(fastifyStatic, { root, serve: false });
    const hide = { schema: { hide: true } };

    server.get('/', hide, async (_request, reply) => reply.redirect('/app/'));
    server.get('/app', hide, async (_request, reply) => reply.redirect('/app/'));
    server.get('/app/*', hide, async (request, reply) => {
      const wanted = (request.params as { '*': string })['*'];
      const asset = wanted ? fileUnder(root, decodeURIComponent(wanted)) : undefined;
      if (asset && asset !== 'index.html') {
        const hashed = asset.startsWith(`assets${path.sep}`);
        return reply.sendFile(asset, { maxAge: hashed ? YEAR_MS : 0, immutable: hashed });
      }
      if (!fileUnder(root, 'index.html')) {
        return reply.status(503).send({ code: 'web_app_not_built', message: 'the web app is not built: run `npm run build:web` (npm start does it)' });
      }
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html', { cacheControl: false });
    });
  };
}
