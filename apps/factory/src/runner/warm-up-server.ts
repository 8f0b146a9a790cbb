import { Worker } from 'node:worker_threads';

/**
 * The warm-ups' throwaway HTTP server, on a worker thread of its own.
 *
 * Why not in the factory's own isolate: a server's sockets run through the same Node stream
 * code as undici's client sockets (onStreamRead, emitReadable_, writeOrBuffer), with objects
 * of other shapes. Once V8 had seen both there, that code stayed megamorphic for the life of
 * the process: the factory's closed model cost ~7 % more CPU per request than with no warm-up,
 * and a bare undici loop warmed the same way lost 8 % (bench/README.md, "Servers in the
 * factory's isolate"). On its own thread the server's feedback stays in its own isolate, and
 * the factory's isolate only ever sees client sockets. The thread lives as long as one warm-up.
 */
const SERVER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createServer } = require('node:http');
const server = createServer((req, res) => {
  req.resume();
  res.end('ok');
});
server.keepAliveTimeout = 10000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

export interface WarmUpServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  close(): Promise<void>;
}

export async function startWarmUpServer(): Promise<WarmUpServer> {
  // A small heap: the server holds a few sockets and nothing else.
  const worker = new Worker(SERVER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 32 } });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the warm-up server's thread exited (code ${code}) before listening`)));
    });
    return { origin: `http://127.0.0.1:${port}`, close: () => worker.terminate().then(() => undefined) };
  } catch (err) {
    await worker.terminate();
    throw err;
  }
}
