import { startServerThread } from '../http/server-thread.js';

/**
 * The warm-ups' throwaway HTTP server, on a worker thread of its own (http/server-thread.ts).
 * In the factory's own isolate it left Node's stream code megamorphic for the minions'
 * sockets: the closed model cost ~7 % more CPU per request than with no warm-up, and a bare
 * undici loop warmed the same way lost 8 % (bench/README.md, "Servers in the factory's
 * isolate"). The thread lives as long as one warm-up (~50 ms to start).
 */
const SERVER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createServer } = require('node:http');
const server = createServer((req, res) => {
  req.resume();
  res.end('ok');
});
server.keepAliveTimeout = 10000;
server.on('error', (e) => parentPort.postMessage({ listenError: e.message }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

export interface WarmUpServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  close(): Promise<void>;
}

export async function startWarmUpServer(): Promise<WarmUpServer> {
  const { worker, port } = await startServerThread('warm-up server', SERVER_SOURCE);
  return { origin: `http://127.0.0.1:${port}`, close: () => worker.terminate().then(() => undefined) };
}
