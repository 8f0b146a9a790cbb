import type { Worker } from 'node:worker_threads';
import { startServerThread } from './http/server-thread.js';

/**
 * The HTTP server of a factory's /metrics and /health, on a worker thread of its own; the
 * answers are still made on the main thread (its registry, its registration) and passed over
 * a MessagePort.
 *
 * Why a thread (http/server-thread.ts): in the factory's own isolate, a factory scraped once a
 * second (as Prometheus and Kubernetes probes do) spent ~5 % more CPU per request than one
 * never scraped (bench/README.md, "Servers in the factory's isolate").
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
  private closing = false;
  private constructor(private readonly worker: Worker) {}

  /**
   * Listens on `port` (0: any free one) and answers each request with `answer(path)`; resolves
   * once listening. `onLost` hears of a thread that ends without close() (its probes would
   * then fail): it is said, not silent.
   */
  static async listen(port: number, host: string, answer: (path: Asked['path']) => Promise<Answer>, onLost: (reason: string) => void = () => undefined): Promise<{ server: MetricsServer; port: number }> {
    const { worker, port: bound } = await startServerThread('metrics server', SERVER_SOURCE, { port, host });
    const server = new MetricsServer(worker);
    worker.on('error', (e) => onLost(e.message));
    worker.on('exit', (code) => {
      if (!server.closing) onLost(`its thread exited (code ${code})`);
    });
    worker.on('message', (m: Asked) => {
      answer(m.path).then(
        (a) => worker.postMessage({ id: m.id, ...a }),
        (e: unknown) => worker.postMessage({ id: m.id, status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'INTERNAL', message: String(e) } }) }),
      );
    });
    // The factory's shutdown closes it; it never holds the process open by itself (after the
    // listener: adding one refs the worker again).
    worker.unref();
    return { server, port: bound };
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
