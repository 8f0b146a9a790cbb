import { Worker } from 'node:worker_threads';

/**
 * The HTTP server of a factory's /metrics and /health, on a worker thread of its own; the
 * answers are still made on the main thread (its registry, its registration) and passed over
 * a MessagePort.
 *
 * Why a thread: a server's sockets run through the same Node stream code as the minions'
 * undici sockets, with objects of other shapes, and once V8 has seen both that code stays
 * megamorphic for the life of the process. A factory scraped once a second (as Prometheus and
 * Kubernetes probes do) spent ~5 % more CPU per request than one never scraped
 * (bench/README.md, "Servers in the factory's isolate"). Here the main isolate only sees
 * client sockets.
 */
const SERVER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createServer } = require('node:http');
const waiting = new Map();
let next = 0;
parentPort.on('message', (m) => {
  const res = waiting.get(m.id);
  if (!res) return;
  waiting.delete(m.id);
  res.writeHead(m.status, { 'content-type': m.contentType }).end(m.body);
});
const server = createServer((req, res) => {
  const path = (req.url || '').split('?')[0];
  if (path !== '/metrics' && path !== '/health') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NOT_FOUND","message":"not found"}}');
    return;
  }
  const id = ++next;
  waiting.set(id, res);
  res.on('close', () => waiting.delete(id));
  parentPort.postMessage({ id, path });
});
server.on('error', (e) => parentPort.postMessage({ listenError: e.message }));
server.listen(workerData.port, workerData.host, () => parentPort.postMessage({ port: server.address().port }));
`;

export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** A request the thread passes on: which path. */
interface Asked {
  id: number;
  path: '/metrics' | '/health';
}

export class MetricsServer {
  private constructor(private readonly worker: Worker) {}

  /** Listens on `port` (0: any free one) and answers each request with `answer(path)`; resolves once listening. */
  static async listen(port: number, host: string, answer: (path: Asked['path']) => Promise<Answer>): Promise<{ server: MetricsServer; port: number }> {
    const worker = new Worker(SERVER_SOURCE, { eval: true, workerData: { port, host }, resourceLimits: { maxOldGenerationSizeMb: 32 } });
    try {
      const bound = await new Promise<number>((resolve, reject) => {
        worker.once('message', (m: { port?: number; listenError?: string }) => (m.port !== undefined ? resolve(m.port) : reject(new Error(`metrics server: ${m.listenError}`))));
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`metrics server thread exited (code ${code}) before listening`)));
      });
      worker.on('message', (m: Asked) => {
        answer(m.path).then(
          (a) => worker.postMessage({ id: m.id, ...a }),
          (e: unknown) => worker.postMessage({ id: m.id, status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'INTERNAL', message: String(e) } }) }),
        );
      });
      // The factory's shutdown closes it; it never holds the process open by itself (after the
      // listeners: adding one refs the worker again).
      worker.unref();
      return { server: new MetricsServer(worker), port: bound };
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
