// The fallback target when nginx is not installed: node:http, keep-alive, a 2-byte 200, and
// on /__count "requests connections" served so far (the probes themselves are not counted).
// With a delay (second argument, ms), every answer but the probes' waits that long: the slow
// target of bench/memory.mjs (many minions, each waiting on its response).
//
//   node bench/target.mjs <port> [delayMs]
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const delayMs = Number(process.argv[3] ?? 0);
let served = 0;
let connections = 0;
const answer = (res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
  res.end('ok');
};
const server = createServer((req, res) => {
  if (req.url === '/__count') {
    connections--;
    res.end(`${served} ${connections}`);
    return;
  }
  served++;
  if (delayMs > 0) setTimeout(answer, delayMs, res);
  else answer(res);
});
server.on('connection', () => connections++);
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.requestTimeout = 0;
server.maxConnections = 100_000;
server.listen({ port, host: '127.0.0.1', backlog: 8192 });
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
