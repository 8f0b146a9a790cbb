// The fallback target when nginx is not installed: node:http, keep-alive, a 2-byte 200, and
// on /__count "requests connections" served so far (the probes themselves are not counted).
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
let served = 0;
let connections = 0;
const server = createServer((req, res) => {
  if (req.url === '/__count') {
    connections--;
    res.end(`${served} ${connections}`);
    return;
  }
  served++;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
  res.end('ok');
});
server.on('connection', () => connections++);
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
