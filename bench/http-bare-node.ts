// The second HTTP baseline, run as its own process: a bare node:http endpoint that reads the body,
// parses it as JSON and answers a small JSON, with no framework, no validation and no store: the
// floor under any Node.js server on this machine. Prints "listening on <url>" when ready.
import http from 'node:http';

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { transfers?: { id: string }[] };
    const results = (body.transfers ?? []).map((t) => ({ id: t.id, result: 'ok', timestamp: null }));
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ results }));
  });
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(`listening on http://127.0.0.1:${address.port}`);
});
